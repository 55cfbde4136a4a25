package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.RwkvApi;
import dev.llmgraph.ggml.internal.TrainingApi;

import static dev.llmgraph.ggml.Shapes.require;

/**
 * The ops RWKV's time mixing is built from beyond the common ones: ggml's WKV recurrences {@code rwkv_wkv6} (Finch)
 * and {@code rwkv_wkv7} (Goose), the L2 norm of RWKV-7's keys and the element-wise exp of RWKV-6's decay. Every
 * shape, type and contiguity rule they assert (in {@code ggml.c} when the node is made, in the CPU kernel when it
 * runs) is checked here first, in words. Shapes in ggml order (ne[0] first): S the head size, H heads, T tokens.
 */
public final class RwkvOps {
    private final Context ctx;

    private RwkvOps(Context ctx) {
        this.ctx = ctx;
    }

    /** The RWKV ops of {@code ctx}. */
    public static RwkvOps of(Context ctx) {
        return new RwkvOps(ctx);
    }

    /**
     * RWKV-6's WKV over T tokens, per head h with state S_h [S x S] (key index i, value index j):
     * <pre>
     *  y[j]     = sum_i r[i] (first[i] k[i] v[j] + S[i][j])
     *  S[i][j] <- decay[i] S[i][j] + k[i] v[j]
     * </pre>
     * {@code k, v, r, decay} [S, H, T]; {@code first} (the bonus u) S x H values; {@code state} [S x S x H,
     * sequences], the T tokens split evenly over the sequences. Result: one f32 tensor [S x H, T + S x sequences],
     * y followed by the final states.
     */
    public Tensor wkv6(Tensor k, Tensor v, Tensor r, Tensor first, Tensor decay, Tensor state) {
        Tensor[] all = {k, v, r, first, decay, state};
        requireAll("rwkv_wkv6", "k, v, r, first, decay and state", all);
        long s = k.ne(0), h = k.ne(1), tokens = k.ne(2);
        require(k.rank() <= 3, "rwkv_wkv6", "k must be [headSize, heads, tokens]", all);
        for (Tensor t : new Tensor[] {v, r, decay}) {
            require(t.rank() <= 3 && t.ne(0) == s && t.ne(1) == h && t.ne(2) == tokens, "rwkv_wkv6",
                    "v, r and decay must have k's shape [headSize, heads, tokens]", all);
        }
        require(first.elementCount() == s * h, "rwkv_wkv6", "first must hold headSize x heads = " + s * h
                + " values (one bonus per key channel)", all);
        requireState("rwkv_wkv6", state, s, h, tokens, all);
        return ctx.op(RwkvApi.ggml_rwkv_wkv6(ctx.handle(), ctx.p(k), ctx.p(v), ctx.p(r), ctx.p(first),
                ctx.p(decay), ctx.p(state)));
    }

    /**
     * RWKV-7's WKV (the generalised delta rule) over T tokens, per head with state S [S x S] (value index i, key
     * index j):
     * <pre>
     *  S[i][j] <- S[i][j] w[j] + v[i] k[j] + (sum_l S[i][l] a[l]) b[j]
     *  y[i]     = sum_j S[i][j] r[j]                     (with the updated state)
     * </pre>
     * {@code r, w, k, v, a, b} [S, H, T]; {@code state} [S x S x H, sequences]. Result as {@link #wkv6}.
     */
    public Tensor wkv7(Tensor r, Tensor w, Tensor k, Tensor v, Tensor a, Tensor b, Tensor state) {
        Tensor[] all = {r, w, k, v, a, b, state};
        requireAll("rwkv_wkv7", "r, w, k, v, a, b and state", all);
        long s = k.ne(0), h = k.ne(1), tokens = k.ne(2);
        for (Tensor t : new Tensor[] {r, w, k, v, a, b}) {
            require(t.rank() <= 3 && t.ne(0) == s && t.ne(1) == h && t.ne(2) == tokens, "rwkv_wkv7",
                    "r, w, k, v, a and b must all be [headSize, heads, tokens]", all);
        }
        requireState("rwkv_wkv7", state, s, h, tokens, all);
        return ctx.op(RwkvApi.ggml_rwkv_wkv7(ctx.handle(), ctx.p(r), ctx.p(w), ctx.p(k), ctx.p(v), ctx.p(a),
                ctx.p(b), ctx.p(state)));
    }

    /** Each row divided by max(its L2 norm, eps). */
    public Tensor l2Norm(Tensor a, float eps) {
        require(a.type() == GgmlType.F32 && a.nb(0) == 4, "l2_norm", "the input must be f32 with adjacent row "
                + "elements", a);
        require(eps >= 0, "l2_norm", "eps must not be negative, got " + eps, a);
        return ctx.op(RwkvApi.ggml_l2_norm(ctx.handle(), ctx.p(a), eps));
    }

    /** e^a, element-wise. */
    public Tensor exp(Tensor a) {
        require(a.type() == GgmlType.F32 && a.isContiguous(), "exp", "the input must be contiguous f32", a);
        return ctx.op(TrainingApi.ggml_exp(ctx.handle(), ctx.p(a)));
    }

    /** The kernels read every input as packed f32 (ggml asserts contiguity; the CPU kernel aborts on other types). */
    private static void requireAll(String op, String names, Tensor[] all) {
        for (Tensor t : all) {
            require(t.type() == GgmlType.F32, op, names + " must be f32", all);
            require(t.isContiguous(), op, names + " must be contiguous; copy a view with cont() first", all);
        }
    }

    /**
     * Heads of 64 or 128 (ggml's CUDA kernels assert it; the CPU kernel of wkv7 walks each head 64 values at a time
     * on AVX-512 and would read and write past a smaller one); S x S x H values per sequence; the tokens split evenly
     * over the sequences (the kernels divide by them).
     */
    private static void requireState(String op, Tensor state, long s, long h, long tokens, Tensor[] all) {
        require(s == 64 || s == 128, op, "the head size (k.ne[0]) must be 64 or 128, got " + s + ": ggml's WKV "
                + "kernels are written for those (CUDA asserts it, the vectorised CPU kernel steps 64 at a time)", all);
        long sequences = state.ne(1);
        require(state.ne(2) == 1 && state.ne(3) == 1, op, "state must be 2-d [headSize x headSize x heads, "
                + "sequences]", all);
        require(sequences >= 1 && tokens % sequences == 0, op, "the " + tokens + " tokens must split evenly over "
                + "the state's " + sequences + " sequences (state.ne[1])", all);
        require(state.elementCount() == s * s * h * sequences, op, "state must hold headSize x headSize x heads = "
                + s * s * h + " values per sequence", all);
    }
}
