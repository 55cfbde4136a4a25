package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.GgmlApi;

import static dev.llmgraph.ggml.Shapes.require;

/**
 * The ops attention is built from: softmax with mask, scale and ALiBi; rotary position embedding; fused
 * flash attention. Obtained from {@link Context#attention()}.
 */
public final class AttentionOps {
    private final Context ctx;

    AttentionOps(Context ctx) {
        this.ctx = ctx;
    }

    /**
     * {@code softmax(a * scale + mask * slope)} along each row. The mask (f32 or f16, may be null) is
     * [ne0, >= rows, heads or a divisor of them, ...]; with {@code maxBias > 0} each head h gets the ALiBi
     * slope {@code m_h} derived from maxBias, and the mask must hold the key-query distances, as in BLOOM.
     */
    public Tensor softMax(Tensor a, Tensor mask, float scale, float maxBias) {
        require(a.type() == GgmlType.F32, "soft_max_ext", "the input must be f32", a, mask);
        require(a.isContiguous(), "soft_max_ext", "the input must be contiguous", a, mask);
        if (mask != null) {
            require(mask.type() == GgmlType.F32 || mask.type() == GgmlType.F16, "soft_max_ext",
                    "the mask must be f32 or f16", a, mask);
            require(mask.isContiguous(), "soft_max_ext", "the mask must be contiguous", a, mask);
            require(mask.ne(0) == a.ne(0), "soft_max_ext", "mask.ne[0] must equal a.ne[0] (one value per key)", a, mask);
            require(mask.ne(1) >= a.ne(1), "soft_max_ext", "the mask needs at least one row per query row: "
                    + "mask.ne[1] >= a.ne[1]", a, mask);
            require(a.ne(2) % mask.ne(2) == 0 && a.ne(3) % mask.ne(3) == 0, "soft_max_ext",
                    "a.ne[2] and a.ne[3] must be multiples of the mask's (the mask is broadcast over heads)", a, mask);
        }
        require(maxBias <= 0 || mask != null, "soft_max_ext", "ALiBi (maxBias > 0) needs a mask", a, mask);
        return ctx.op(GgmlApi.ggml_soft_max_ext(ctx.handle(), ctx.p(a), ctx.p(mask), scale, maxBias));
    }

    /**
     * The attention scores {@code q·k} of every query row of {@code q} [headDim, queries, heads] with every key
     * row of {@code k} [headDim, keys, kvHeads]: {@link Context#mulMat mulMat(k, q)}, [keys, queries, heads], with
     * F32 accumulators requested from every backend, as llama.cpp requests them for its own scores. Without that
     * request ggml-cuda sums the products of an F16 key cache in half precision, whose largest value (65,504)
     * unscaled scores can pass; the CPU accumulates in F32 either way, so on the CPU this is mulMat.
     */
    public Tensor scores(Tensor k, Tensor q) {
        Tensor kq = ctx.mulMat(k, q);
        GgmlApi.ggml_prec_set_acc(ctx.p(kq), GgmlApi.GGML_PREC_F32);
        return kq;
    }

    /**
     * Rotary position embedding of {@code a} [headDim, heads, tokens] at the I32 {@code positions} [tokens].
     * The first {@code dims} dimensions of each head rotate (partial RoPE when dims < headDim).
     *
     * @param freqBase   theta, e.g. 10000; NTK-aware scaling raises it
     * @param freqScale  1 / interpolation factor: 0.25 runs 4x the training context (position interpolation)
     * @param contextOrig the training context length (used by YaRN)
     * @param yarn        YaRN parameters, or {@link Yarn#OFF}
     */
    public Tensor rope(Tensor a, Tensor positions, int dims, RopeMode mode, int contextOrig, float freqBase,
                       float freqScale, Yarn yarn) {
        return rope(a, positions, null, dims, mode, contextOrig, freqBase, freqScale, yarn);
    }

    /**
     * As {@link #rope(Tensor, Tensor, int, RopeMode, int, float, float, Yarn)}, with pair i's frequency divided
     * by {@code freqFactors[i]} (an F32 vector of at least dims / 2 values; null for none): llama.cpp's rope_freqs,
     * Llama 3.1's per-frequency scaling.
     */
    public Tensor rope(Tensor a, Tensor positions, Tensor freqFactors, int dims, RopeMode mode, int contextOrig,
                       float freqBase, float freqScale, Yarn yarn) {
        require(Shapes.isF32OrF16(a), "rope_ext", "the input must be f32 or f16", a, positions);
        require(Shapes.hasAdjacentRowElements(a), "rope_ext", "the elements of each row must be adjacent; copy a "
                + "permuted tensor with cont() first", a, positions);
        require(positions.type() == GgmlType.I32 && positions.rank() == 1, "rope_ext",
                "positions must be an i32 vector", a, positions);
        require(a.ne(2) == positions.ne(0), "rope_ext", "there must be one position per token: a.ne[2] must equal "
                + "positions.ne[0]", a, positions);
        require(dims > 0 && dims % 2 == 0 && dims <= a.ne(0), "rope_ext", "the rotated dimensions must be even and "
                + "at most ne[0] = " + a.ne(0) + ", got " + dims, a, positions);
        // ggml's kernels step through a row two values at a time: on an odd row the CPU's writes one value into the
        // next row (or past the tensor), and ggml-cuda's asserts, aborting the process
        require(a.ne(0) % 2 == 0, "rope_ext", "each row (a head) must have an even length, got ne[0] = " + a.ne(0),
                a, positions);
        require(freqBase > 0 && freqScale > 0, "rope_ext", "freqBase and freqScale must be positive", a, positions);
        if (freqFactors != null) {
            require(freqFactors.type() == GgmlType.F32 && freqFactors.rank() == 1 && freqFactors.ne(0) >= dims / 2,
                    "rope_ext", "the frequency factors must be an f32 vector of at least dims / 2 = " + dims / 2
                    + " values, one per rotated pair", a, positions, freqFactors);
        }
        return ctx.op(GgmlApi.ggml_rope_ext(ctx.handle(), ctx.p(a), ctx.p(positions), ctx.p(freqFactors),
                dims, mode.ggmlMode(), contextOrig, freqBase, freqScale, yarn.extFactor(), yarn.attnFactor(),
                yarn.betaFast(), yarn.betaSlow()));
    }

    /**
     * Fused attention {@code softmax(q k^T * scale + mask) v}, with optional ALiBi and soft-capping
     * ({@code softcap * tanh(logits / softcap)}, 0 = off).
     *
     * <p>q [headDim, queries, heads, 1], k [headDim, keys, kvHeads, 1], v [headDimV, keys, kvHeads, 1]
     * (not transposed), mask f16 [keys, >= queries, 1 or heads, 1]. heads must be a multiple of kvHeads
     * (grouped-query attention). Result [headDimV, heads, queries, 1]: note the permuted order. F32 accumulators
     * are requested, as for {@link #scores} (ggml-cuda's kernels and the CPU's use them anyway).
     */
    public Tensor flashAttention(Tensor q, Tensor k, Tensor v, Tensor mask, float scale, float maxBias, float softcap) {
        require(q.ne(0) == k.ne(0), "flash_attn_ext", "q and k must have the same head size ne[0]", q, k, v, mask);
        require(q.ne(2) % k.ne(2) == 0 && q.ne(3) % k.ne(3) == 0, "flash_attn_ext",
                "query heads q.ne[2] must be a multiple of key heads k.ne[2]", q, k, v, mask);
        require(k.ne(1) == v.ne(1) && k.ne(2) == v.ne(2), "flash_attn_ext",
                "k and v must have the same number of keys and heads", q, k, v, mask);
        require(q.ne(3) == k.ne(3) && q.ne(3) == v.ne(3), "flash_attn_ext", "q, k and v must agree in ne[3]", q, k, v, mask);
        require(!k.isTransposed(), "flash_attn_ext", "k must not be transposed", q, k, v, mask);
        // ggml-cpu reads q as f32 rows and asserts, when it computes, that rows of q, k and v are unbroken.
        require(q.type() == GgmlType.F32, "flash_attn_ext", "q must be f32", q, k, v, mask);
        require(Shapes.hasAdjacentRowElements(q) && Shapes.hasAdjacentRowElements(k) && Shapes.hasAdjacentRowElements(v),
                "flash_attn_ext", "the elements of each row of q, k and v must be adjacent (v is [headDimV, keys, "
                        + "kvHeads], not transposed); copy a permuted or transposed view with cont() first", q, k, v, mask);
        if (mask != null) {
            require(mask.type() == GgmlType.F16, "flash_attn_ext", "the mask must be f16", q, k, v, mask);
            require(mask.isContiguous(), "flash_attn_ext", "the mask must be contiguous", q, k, v, mask);
            require(mask.ne(0) == k.ne(1) && mask.ne(1) >= q.ne(1), "flash_attn_ext",
                    "the mask must be [keys, >= queries, ...]", q, k, v, mask);
            require(q.ne(2) % mask.ne(2) == 0 && q.ne(3) % mask.ne(3) == 0, "flash_attn_ext",
                    "q.ne[2] and q.ne[3] must be multiples of the mask's", q, k, v, mask);
        }
        require(maxBias <= 0 || mask != null, "flash_attn_ext", "ALiBi (maxBias > 0) needs a mask", q, k, v, mask);
        Tensor out = ctx.op(GgmlApi.ggml_flash_attn_ext(ctx.handle(), ctx.p(q), ctx.p(k), ctx.p(v), ctx.p(mask), scale,
                maxBias, softcap));
        GgmlApi.ggml_prec_set_acc(ctx.p(out), GgmlApi.GGML_PREC_F32);
        return out;
    }
}
