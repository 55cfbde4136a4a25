package dev.llmgraph.spec;

/**
 * Mamba-2 (Dao and Gu 2024, "Transformers are SSMs"): the selective state space with one scalar decay per head
 * instead of one per channel and state, B and C shared by a group of heads, and the step sizes projected directly.
 * <pre>
 *  x [dModel] --W_in--> z [innerDim] | xBC [innerDim + 2 groups stateDim] | dt [heads]
 *  xBC = SiLU(causal depthwise conv1d(xBC) + b)              x [headDim, heads] | B, C [stateDim, groups]
 *  per head h (group g of h), head dimension p, state n, step = softplus(dt[h] + b_dt[h]):
 *      H[h,p,n] <- exp(step A[h]) H[h,p,n] + step B[g,n] x[h,p]         A = -exp(A_log) < 0, one per head
 *      y[h,p]    = sum_n C[g,n] H[h,p,n] + D[h] x[h,p]
 *  out = W_out GroupRMSNorm(y * SiLU(z))                     RMSNorm over each group's innerDim / groups values
 * </pre>
 * ggml's {@code ssm_scan} runs the recurrence token by token (its chunked form is the same sum); llama.cpp's
 * {@code mamba2} architecture is this block, {@code x + Mamba2(RMSNorm(x))} with no FFN.
 *
 * @param innerDim  d_inner (expand x dModel; Mamba-2 uses expand 2)
 * @param stateDim  d_state (Mamba-2: 128)
 * @param convWidth d_conv (4)
 * @param heads     heads, each innerDim / heads wide (Mamba-2: head size 64)
 * @param groups    groups of heads sharing B and C (1 in the released models)
 */
public record Mamba2(int innerDim, int stateDim, int convWidth, int heads, int groups) implements StateSpace {

    /** Mamba-2's defaults for a model of width {@code dModel}: expand 2, state 128, conv 4, heads of 64, 1 group. */
    public static Mamba2 of(int dModel) {
        FieldRules.refuse(FieldRules.count("dModel", dModel));
        return new Mamba2(2 * dModel, 128, 4, Math.max(1, 2 * dModel / 64), 1);
    }

    /** {@code heads} heads in {@code groups} groups; refuses counts below 1 at once (divisibility is build()'s). */
    public Mamba2 withHeads(int heads, int groups) {
        FieldRules.refuse(FieldRules.count("mamba2.heads", heads));
        FieldRules.refuse(FieldRules.count("mamba2.groups", groups));
        return new Mamba2(innerDim, stateDim, convWidth, heads, groups);
    }

    /** Refuses a size below 1 at once. */
    public Mamba2 withStateDim(int stateDim) {
        FieldRules.refuse(FieldRules.count("ssm.stateDim", stateDim));
        return new Mamba2(innerDim, stateDim, convWidth, heads, groups);
    }

    /** Refuses a width below 2 at once. */
    public Mamba2 withConvWidth(int convWidth) {
        FieldRules.refuse(SsmRules.convWidth(convWidth));
        return new Mamba2(innerDim, stateDim, convWidth, heads, groups);
    }

    /** Refuses a size below 1 at once. */
    public Mamba2 withInnerDim(int innerDim) {
        FieldRules.refuse(FieldRules.count("ssm.innerDim", innerDim));
        return new Mamba2(innerDim, stateDim, convWidth, heads, groups);
    }

    /** The width of one head, innerDim / heads. */
    public int headDim() {
        return innerDim / heads;
    }

    @Override
    public long convChannels() {
        return innerDim + 2L * groups * stateDim;
    }

    /** Weights of one block: in (z, xBC, dt), conv and bias, dt bias, A, D, the group norm, out. */
    @Override
    public long parameters(int dModel) {
        long d = dModel, conv = convChannels();
        long in = d * (innerDim + conv + heads);
        return in + (convWidth + 1L) * conv + 3L * heads + innerDim + (long) innerDim * d;
    }

    @Override
    public String toString() {
        return "Mamba-2(innerDim=" + innerDim + ", stateDim=" + stateDim + ", convWidth=" + convWidth + ", heads="
                + heads + ", groups=" + groups + ")";
    }
}
