package dev.llmgraph.spec;

/**
 * RWKV's channel mixing: a feed-forward network whose input is token-shifted (mixed with the previous token's by a
 * learned per-channel lerp) and whose activation is the squared ReLU.
 * <pre>
 *  xk = x + mu_k (x_prev - x)                  x_prev: the previous token's input (the token shift state)
 *  k  = ReLU(W_key xk)^2                       [width]
 *  out = W_value k                             RWKV-7
 *  out = sigmoid(W_r (x + mu_r (x_prev - x))) * W_value k     RWKV-6 (a receptance gate)
 * </pre>
 *
 * @param width      the hidden width (RWKV-6 1.6B: 7168, RWKV-7 1.5B: 8192)
 * @param receptance whether the output is gated by a receptance (RWKV-6 yes, RWKV-7 no)
 */
public record RwkvChannelMix(int width, boolean receptance) implements ChannelMixer {
    /** Weights: the lerps, key and value (and the receptance lerp and matrix). */
    public long parameters(int dModel) {
        long d = dModel;
        return d + 2 * d * width + (receptance ? d + d * d : 0);
    }

    @Override
    public String toString() {
        return "RWKV channel mix(width=" + width + (receptance ? ", receptance gate" : "") + ")";
    }
}
