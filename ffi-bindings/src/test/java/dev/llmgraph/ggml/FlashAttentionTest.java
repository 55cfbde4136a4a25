package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import dev.llmgraph.ggml.Compare.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.llmgraph.ggml.Reference.count;
import static dev.llmgraph.ggml.Reference.four;
import static dev.llmgraph.ggml.Reference.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * flash_attn_ext against attention written out: softmax(q·kᵀ · scale + slope · mask) · v in double
 * precision ({@link AttentionReference#attention}), with a causal mask, a KV cache longer than the batch,
 * grouped- and multi-query heads, f16 K/V (the usual KV-cache type), soft-capped logits and ALiBi. Batches
 * of 64 queries take ggml-cpu's tiled kernel, smaller ones its one-query-at-a-time kernel. The result comes
 * back in the op's permuted layout [headDimV, heads, queries].
 *
 * <p>What ggml-cpu's kernel needs: q in f32 (it reads q rows as floats); K and V in f32, f16 or a quantized
 * type, with unbroken rows (V as [headDimV, keys, kvHeads], not the transposed layout of a non-flash V
 * cache); a mask in f16 with at least one row per query. The typed layer checks all of these.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class FlashAttentionTest {
    /**
     * f32 K/V: the outputs are averages of values in [-1, 1); the logits (up to about 3) are float dot
     * products of 64 terms, off by up to 64 · 2^-24 relative to Σ|q·k| / √d, and the weights are float
     * exponentials and sums, so the outputs move by about 1e-6 at most.
     */
    private static final Tolerance F32_KV = Tolerance.absolute(5e-6);

    /**
     * f16 K/V (the reference uses the same f16-rounded K and V): ggml's one-query kernel also rounds q to
     * f16 for the dot products (2^-11 relative) and accumulates the weighted values in an f16 vector,
     * rounding (2^-11 relative) once per key. We allow 2^-11 · (4 + keys) absolute on outputs below 1.
     */
    private static Tolerance f16KeysAndValues(int keys) {
        return Tolerance.absolute(0x1p-11 * (4 + keys));
    }

    enum Mask { NONE, CAUSAL, ALIBI }

    /** q [headDim, queries, heads]; k and v [headDim, keys, kvHeads]; the queries are the last keys. */
    record Case(int headDim, int queries, int keys, int heads, int kvHeads, GgmlType kvType, Mask mask,
                float softcap, float maxBias, String purpose) {
        float scale() {
            return (float) (1 / Math.sqrt(headDim));
        }

        @Override
        public String toString() {
            return purpose + ": q [" + headDim + ", " + queries + ", " + heads + "], " + kvType + " k/v [" + headDim
                    + ", " + keys + ", " + kvHeads + "], mask " + mask + (softcap != 0 ? ", softcap " + softcap : "")
                    + (maxBias != 0 ? ", maxBias " + maxBias : "");
        }
    }

    static Stream<Arguments> cases() {
        return Backends.crossed(Stream.of(
                new Case(64, 7, 7, 4, 4, GgmlType.F32, Mask.CAUSAL, 0, 0, "causal prompt"),
                new Case(64, 3, 20, 4, 4, GgmlType.F32, Mask.CAUSAL, 0, 0, "KV cache longer than the batch"),
                new Case(64, 5, 9, 8, 2, GgmlType.F32, Mask.CAUSAL, 0, 0, "GQA 8 heads / 2 key heads"),
                new Case(32, 4, 6, 4, 1, GgmlType.F32, Mask.CAUSAL, 0, 0, "MQA"),
                new Case(32, 4, 6, 2, 2, GgmlType.F32, Mask.NONE, 0, 0, "no mask (encoder)"),
                new Case(64, 64, 80, 2, 1, GgmlType.F32, Mask.CAUSAL, 0, 0, "tiled kernel"),
                new Case(64, 5, 16, 8, 2, GgmlType.F16, Mask.CAUSAL, 0, 0, "f16 KV cache with GQA"),
                new Case(64, 64, 64, 2, 1, GgmlType.F16, Mask.CAUSAL, 0, 0, "f16 KV cache, tiled kernel"),
                new Case(64, 6, 6, 2, 2, GgmlType.F32, Mask.CAUSAL, 1.5f, 0, "soft-capped logits"),
                new Case(64, 64, 64, 2, 2, GgmlType.F16, Mask.CAUSAL, 1.5f, 0, "soft-capped logits, tiled kernel"),
                new Case(128, 6, 6, 2, 2, GgmlType.F16, Mask.CAUSAL, 1.5f, 0, "soft-capped logits, head size 128"),
                new Case(128, 64, 64, 2, 2, GgmlType.F16, Mask.CAUSAL, 1.5f, 0, "soft-capped logits, head size 128, tiled"),
                new Case(32, 6, 6, 4, 4, GgmlType.F32, Mask.ALIBI, 0, 8, "ALiBi")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesExplicitSoftmaxAttention(String backendName, Case c) {
        RandomInputs random = RandomInputs.forCase("flash_attn_ext", c);
        int[] qNe = four(c.headDim(), c.queries(), c.heads());
        int[] kvNe = four(c.headDim(), c.keys(), c.kvHeads());
        int[] maskNe = four(c.keys(), c.queries());
        // Inputs large enough that soft-capping changes the logits: |q·k| / √d reaches about 3.
        float[] q = random.uniform(count(qNe), -2, 2);
        float[] k = random.uniform(count(kvNe), -2, 2);
        float[] v = random.uniform(count(kvNe), -1, 1);
        double[] mask = switch (c.mask()) {
            case NONE -> null;
            case CAUSAL -> AttentionReference.causalMask(c.keys(), c.queries());
            case ALIBI -> AttentionReference.alibiMask(c.keys(), c.queries());
        };

        float[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor tq = ctx.newTensor("q", GgmlType.F32, longs(qNe));
            Tensor tk = ctx.newTensor("k", c.kvType(), longs(kvNe));
            Tensor tv = ctx.newTensor("v", c.kvType(), longs(kvNe));
            Tensor tmask = mask == null ? null : ctx.newTensor("kq_mask", GgmlType.F16, longs(maskNe));
            ctx.allocate(backend);
            tq.setFloats(q);
            tk.setFloats(k);
            tv.setFloats(v);
            if (tmask != null) {
                tmask.setFloats(narrow(mask));
            }
            Tensor out = ctx.attention().flashAttention(tq, tk, tv, tmask, c.scale(), c.maxBias(), c.softcap());
            assumeTrue(backend.supports(out), backend.name() + " has no flash-attention kernel for " + c);
            if (Backends.isCuda(backendName) && c.softcap() != 0 && c.headDim() != 128) {
                // ggml-cuda says yes, but its kernels have no softcap variant for this head size: it would abort.
                var e = assertThrows(UnsupportedOperationException.class, () -> backend.compute(ctx.newGraph(
                        Backends.GRAPH_NODES).expand(out)));
                assertEquals("the " + backend.name() + " backend has no flash-attention kernel with a logit softcap for "
                        + "head size " + c.headDim() + " (only 128, 256 and 512); turn flash attention off "
                        + "(Attention.withFlash(false)), use one of those head sizes, or run on the CPU", e.getMessage());
                return;
            }
            shape = out.ne();
            got = Backends.computeAndRead(backend, ctx, out);
        }
        assertArrayEquals(new long[] {c.headDim(), c.heads(), c.queries(), 1}, shape, "result [headDimV, heads, queries]");

        boolean f16 = c.kvType() == GgmlType.F16;
        double[] storedK = f16 ? Reference.roundedToF16(k) : RandomInputs.widen(k);
        double[] storedV = f16 ? Reference.roundedToF16(v) : RandomInputs.widen(v);
        double[] expected = AttentionReference.attention(RandomInputs.widen(q), qNe, storedK, kvNe, storedV, kvNe,
                mask, maskNe, c.scale(), c.maxBias(), c.softcap());
        // ggml's CUDA kernels compute in f16 whatever the K/V type, so the f16 allowance applies there.
        Tolerance tolerance = f16 || Backends.isCuda(backendName) ? f16KeysAndValues(c.keys()) : F32_KV;
        Compare.assertClose("flash_attn_ext " + c, expected, got, tolerance);
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
