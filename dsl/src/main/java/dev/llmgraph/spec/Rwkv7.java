package dev.llmgraph.spec;

/**
 * RWKV-7 "Goose" time mixing (Peng et al. 2025), as llama.cpp's {@code rwkv7} computes it.
 * <pre>
 *  x_* = x + mu_* (x_prev - x)                  for r, w, k, v, a, g (fixed lerps, no LoRA)
 *  r, k, v = W_r x_r, W_k x_k, W_v x_v
 *  w = exp(-e^-1/2 sigmoid(w0 + W2 tanh(W1 x_w)))            decay in (0.545, 1)
 *  a = sigmoid(a0 + A2 A1 x_a)                                in-context learning rate
 *  v = v + (v_first - v) sigmoid(v0 + V2 V1 x_v)              value residual to layer 0's v (not on layer 0)
 *  g = G2 sigmoid(G1 x_g)
 *  kk = L2Norm_heads(k * k_k);   k = k (1 + (a - 1) k_a)
 *  per head:  S <- S diag(w) - S kk^T (kk a) + v^T k;   y = S r       ggml's rwkv_wkv7
 *  out = W_o ((GroupNorm_heads(y) + v sum_head(r k r_k)) * g)
 * </pre>
 *
 * @param headSize  channels per head (64)
 * @param ffnDim    the channel mixing's width (4 x dModel)
 * @param decayRank the decay LoRA's rank (1.5B: 96)
 * @param iclrRank  the in-context learning rate LoRA's rank (1.5B: 96)
 * @param valueRank the value residual LoRA's rank (1.5B: 64)
 * @param gateRank  the output gate LoRA's rank (1.5B: 256)
 */
public record Rwkv7(int headSize, int ffnDim, int decayRank, int iclrRank, int valueRank, int gateRank)
        implements Rwkv {

    /** Refuses a size below 1 at once. */
    public Rwkv7 withHeadSize(int headSize) {
        FieldRules.refuse(FieldRules.count("rwkv.headSize", headSize));
        return new Rwkv7(headSize, ffnDim, decayRank, iclrRank, valueRank, gateRank);
    }

    @Override
    public RwkvChannelMix channelMix() {
        return new RwkvChannelMix(ffnDim, false);
    }

    /**
     * w0 w1 w2, a0 a1 a2, v0 v1 v2 (not on layer 0: {@code layer0} says which), g1 g2, the 6 fused lerps, k_k k_a
     * r_k, r k v and output, the group norm.
     */
    public long parameters(int dModel, boolean layer0) {
        long d = dModel;
        long lora = (d + 2 * d * decayRank) + (d + 2 * d * iclrRank) + (layer0 ? 0 : d + 2 * d * valueRank)
                + 2 * d * gateRank;
        return lora + 6 * d + 3 * d + 4 * d * d + 2 * d;
    }

    /** Of a block after the first. */
    @Override
    public long parameters(int dModel) {
        return parameters(dModel, false);
    }

    @Override
    public String toString() {
        return "RWKV-7(headSize=" + headSize + ", ffnDim=" + ffnDim + ", decayRank=" + decayRank + ", iclrRank="
                + iclrRank + ", valueRank=" + valueRank + ", gateRank=" + gateRank + ")";
    }
}
