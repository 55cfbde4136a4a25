package dev.llmgraph.spec;

/**
 * A selective state space (Mamba, Gu and Dao 2023): each channel of an expanded stream keeps a small state that a
 * recurrence updates token by token, with a step size, an input map and an output map that depend on the token
 * ("selective"). Decoding keeps a fixed-size state per layer instead of a KV cache that grows with the context.
 * <pre>
 *  x [dModel] --W_in--> u | z                 [innerDim] each            (u: the stream, z: the output gate)
 *  u = SiLU(causal depthwise conv1d(u) + b)   width convWidth: the last convWidth - 1 inputs are state
 *  u --W_x--> dt_low [dtRank] | B [stateDim] | C [stateDim]
 *  (with dtBcNorm, Jamba: dt_low, B and C each RMS-normalised, times a learned gain, at the spec's norm eps)
 *  dt = softplus(W_dt dt_low + b_dt)           [innerDim]: one step size per channel
 *  per channel c and state n:  h[c,n] <- exp(dt[c] A[c,n]) h[c,n] + dt[c] B[n] u[c]       A = -exp(A_log) < 0
 *                              y[c]    = sum_n C[n] h[c,n] + D[c] u[c]
 *  out = W_out (y * SiLU(z))                   [dModel]
 *
 *  state per layer and sequence: (convWidth - 1) x innerDim + stateDim x innerDim values, whatever the context
 * </pre>
 * llama.cpp's {@code mamba} architecture runs this with ggml's {@code ssm_conv} and {@code ssm_scan} kernels;
 * its blocks are {@code x + Mamba(RMSNorm(x))}, with no feed-forward network.
 *
 * @param innerDim  channels of the expanded stream d_inner ({@code expand x dModel}; Mamba uses expand 2)
 * @param stateDim  state values per channel d_state (N; Mamba: 16)
 * @param convWidth the causal convolution's width d_conv (Mamba: 4)
 * @param dtRank    the rank of the step-size projection (Mamba: ceil(dModel / 16))
 * @param dtBcNorm  whether dt_low, B and C are RMS-normalised with a learned gain each before they are used
 *                  (Jamba's {@code dt_layernorm}, {@code b_layernorm}, {@code c_layernorm}); Mamba has none
 */
public record Ssm(int innerDim, int stateDim, int convWidth, int dtRank, boolean dtBcNorm) implements StateSpace {

    /** Mamba's mixer, without norms on dt, B and C. */
    public Ssm(int innerDim, int stateDim, int convWidth, int dtRank) {
        this(innerDim, stateDim, convWidth, dtRank, false);
    }

    /** Mamba's defaults for a model of width {@code dModel}: expand 2, state 16, conv width 4, dt rank dModel/16. */
    public static Ssm mamba(int dModel) {
        FieldRules.refuse(FieldRules.count("dModel", dModel));
        return new Ssm(2 * dModel, 16, 4, (dModel + 15) / 16);
    }

    /** Refuses a size below 1 at once. */
    public Ssm withInnerDim(int innerDim) {
        FieldRules.refuse(FieldRules.count("ssm.innerDim", innerDim));
        return new Ssm(innerDim, stateDim, convWidth, dtRank, dtBcNorm);
    }

    /** Refuses a size below 1 at once. */
    public Ssm withStateDim(int stateDim) {
        FieldRules.refuse(FieldRules.count("ssm.stateDim", stateDim));
        return new Ssm(innerDim, stateDim, convWidth, dtRank, dtBcNorm);
    }

    /** Refuses a width below 2 at once: the convolution must reach at least one earlier token. */
    public Ssm withConvWidth(int convWidth) {
        FieldRules.refuse(SsmRules.convWidth(convWidth));
        return new Ssm(innerDim, stateDim, convWidth, dtRank, dtBcNorm);
    }

    /** Refuses a rank below 1 at once. */
    public Ssm withDtRank(int dtRank) {
        FieldRules.refuse(FieldRules.count("ssm.dtRank", dtRank));
        return new Ssm(innerDim, stateDim, convWidth, dtRank, dtBcNorm);
    }

    /** This mixer with (Jamba) or without (Mamba) RMSNorms with learned gains on dt_low, B and C. */
    public Ssm withDtBcNorm(boolean dtBcNorm) {
        return new Ssm(innerDim, stateDim, convWidth, dtRank, dtBcNorm);
    }

    /** The convolution runs over the stream's channels. */
    @Override
    public long convChannels() {
        return innerDim;
    }

    /** Weights of one block: in, conv (and bias), x, dt (and bias), A, D, out; and the gains of dt, B and C. */
    @Override
    public long parameters(int dModel) {
        long d = dModel, di = innerDim;
        return d * 2 * di + (convWidth + 1L) * di + di * (dtRank + 2L * stateDim) + (dtRank + 1L) * di
                + (long) stateDim * di + di + di * d + (dtBcNorm ? dtRank + 2L * stateDim : 0);
    }

    @Override
    public String toString() {
        return "Mamba(innerDim=" + innerDim + ", stateDim=" + stateDim + ", convWidth=" + convWidth + ", dtRank="
                + dtRank + (dtBcNorm ? ", RMSNorm on dt, B, C" : "") + ")";
    }
}
