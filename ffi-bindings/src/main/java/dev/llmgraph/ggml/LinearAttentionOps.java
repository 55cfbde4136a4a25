package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.LinearAttentionApi;

import static dev.llmgraph.ggml.Shapes.require;

/**
 * The ops linear attention is built from beyond the common ones: ggml's gated linear attention recurrence
 * {@code gated_linear_attn} and the ELU of the elu(x) + 1 feature map. Every shape, type and contiguity rule
 * gated_linear_attn asserts (in {@code ggml.c} when the node is made, in the CPU and CUDA kernels when it runs) is
 * checked here first, in words. Shapes in ggml order (ne[0] first): S the head size, H heads, T tokens.
 */
public final class LinearAttentionOps {
    private final Context ctx;

    private LinearAttentionOps(Context ctx) {
        this.ctx = ctx;
    }

    /** The linear attention ops of {@code ctx}. */
    public static LinearAttentionOps of(Context ctx) {
        return new LinearAttentionOps(ctx);
    }

    /**
     * Gated linear attention over T tokens, per head h with state S_h [S x S] (key index i, value index j):
     * <pre>
     *  S[i][j] <- g[i] S[i][j] + k[i] v[j]
     *  y[j]     = scale sum_i q[i] S[i][j]           (with the updated state)
     * </pre>
     * {@code k, v, q, g} [S, H, T]; {@code state} [S x S x H, sequences], the T tokens split evenly over the
     * sequences. Result: one f32 tensor [S x H, T + S x sequences], y followed by the final states.
     */
    public Tensor gatedLinearAttention(Tensor k, Tensor v, Tensor q, Tensor g, Tensor state, float scale) {
        Tensor[] all = {k, v, q, g, state};
        for (Tensor t : all) {
            require(t.type() == GgmlType.F32, "gated_linear_attn", "k, v, q, g and state must be f32", all);
            require(t.isContiguous(), "gated_linear_attn", "k, v, q, g and state must be contiguous; copy a view "
                    + "with cont() first", all);
        }
        long s = k.ne(0), h = k.ne(1), tokens = k.ne(2);
        require(k.rank() <= 3, "gated_linear_attn", "k must be [headSize, heads, tokens]", all);
        for (Tensor t : new Tensor[] {v, q, g}) {
            require(t.rank() <= 3 && t.ne(0) == s && t.ne(1) == h && t.ne(2) == tokens, "gated_linear_attn",
                    "v, q and g must have k's shape [headSize, heads, tokens]", all);
        }
        require(s == 64 || s == 128, "gated_linear_attn", "the head size (k.ne[0]) must be 64 or 128, got " + s
                + ": ggml's CUDA kernel is written for those", all);
        require(Float.isFinite(scale), "gated_linear_attn", "scale must be a finite number, got " + scale, all);
        long sequences = state.ne(1);
        require(state.ne(2) == 1 && state.ne(3) == 1, "gated_linear_attn", "state must be 2-d [headSize x headSize "
                + "x heads, sequences]", all);
        require(sequences >= 1 && tokens % sequences == 0, "gated_linear_attn", "the " + tokens + " tokens must "
                + "split evenly over the state's " + sequences + " sequences (state.ne[1])", all);
        require(state.elementCount() == s * s * h * sequences, "gated_linear_attn", "state must hold headSize x "
                + "headSize x heads = " + s * s * h + " values per sequence", all);
        return ctx.op(LinearAttentionApi.ggml_gated_linear_attn(ctx.handle(), ctx.p(k), ctx.p(v), ctx.p(q),
                ctx.p(g), ctx.p(state), scale));
    }

    /** elu(a) = a for a > 0, e^a - 1 otherwise, element-wise. */
    public Tensor elu(Tensor a) {
        require(a.type() == GgmlType.F32 && a.isContiguous(), "elu", "the input must be contiguous f32", a);
        return ctx.op(LinearAttentionApi.ggml_elu(ctx.handle(), ctx.p(a)));
    }
}
