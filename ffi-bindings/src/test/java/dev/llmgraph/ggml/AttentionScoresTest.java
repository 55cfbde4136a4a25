package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.llmgraph.ggml.Reference.abs;
import static dev.llmgraph.ggml.Reference.count;
import static dev.llmgraph.ggml.Reference.four;
import static dev.llmgraph.ggml.Reference.longs;
import static dev.llmgraph.ggml.Reference.mulMat;
import static dev.llmgraph.ggml.Reference.roundedToF16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attention scores ({@link AttentionOps#scores}) whose values lie beyond half precision's largest value, 65,504:
 * an F16 key cache, as the CUDA models keep it, against the double-precision product. ggml-cuda accumulates
 * products of F16 data in half precision unless F32 accumulators are requested; there these scores would
 * be infinite. The CPU accumulates in F32 either way, so there the case checks the reference and the bound.
 *
 * <p>Tolerance: the CPU rounds q to F16 before its dot products (F16's partner type), each term then off by
 * |k·q|·2^-11, plus the F32 rounding of 128 additions, (n + 2)·2^-24 of Σ|k·q|. The scores are near ±96,000,
 * so the bound is about 50: an infinite or half-precision sum (spacing 64 there) fails it.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class AttentionScoresTest {
    private static final int HEAD = 128, KEYS = 4, KV_HEADS = 2, HEADS = 4;

    static Stream<?> cases() {
        return Backends.crossed(Stream.of(1, 8));   // one query (decoding) and a batch of queries (a prompt)
    }

    @ParameterizedTest(name = "{0}: {1} queries")
    @MethodSource("cases")
    void scoresBeyondHalfPrecisionsRangeAreExact(String backendName, int queries) {
        int[] kNe = four(HEAD, KEYS, KV_HEADS), qNe = four(HEAD, queries, HEADS);
        RandomInputs random = RandomInputs.forCase("scores", queries);
        float[] k = random.uniform(count(kNe), 20, 30);
        float[] q = random.uniform(count(qNe), 20, 30);
        for (int row = 0; row < KEYS * KV_HEADS; row += 2) {   // every other key points the other way: -96,000
            for (int i = 0; i < HEAD; i++) {
                k[row * HEAD + i] = -k[row * HEAD + i];
            }
        }
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor tk = ctx.newTensor("k", GgmlType.F16, longs(kNe));
            Tensor tq = ctx.newTensor("q", GgmlType.F32, longs(qNe));
            ctx.allocate(backend);
            tk.setFloats(k);
            tq.setFloats(q);
            got = Backends.computeAndRead(backend, ctx, ctx.attention().scores(tk, tq));
        }
        double[] storedK = roundedToF16(k), wideQ = RandomInputs.widen(q);
        double[] exact = mulMat(storedK, kNe, wideQ, qNe);
        double[] magnitude = mulMat(abs(storedK), kNe, abs(wideQ), qNe);
        assertEquals(exact.length, got.length, "one score per key, query and head");
        for (int i = 0; i < exact.length; i++) {
            double bound = magnitude[i] * (0x1p-11 + (HEAD + 2) * 0x1p-24);
            assertTrue(Math.abs(exact[i]) > 65_504, "the case must pass half precision's range: " + exact[i]);
            assertTrue(Math.abs(got[i] - exact[i]) <= bound, "score " + i + ": " + got[i] + " against " + exact[i]
                    + " (bound " + bound + ") on " + backendName + "; " + RandomInputs.reproduce());
        }
    }

    @Test
    void scoresAndFlashAttentionAskForF32AccumulatorsAndPlainProductsDoNot() {
        try (Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor k = ctx.newTensor("k", GgmlType.F16, HEAD, KEYS, KV_HEADS);
            Tensor v = ctx.newTensor("v", GgmlType.F16, HEAD, KEYS, KV_HEADS);
            Tensor q = ctx.newTensor("q", GgmlType.F32, HEAD, 1, HEADS);
            assertTrue(ctx.attention().scores(k, q).accumulatesInF32(), "scores");
            assertTrue(ctx.attention().flashAttention(q, k, v, null, 1f, 0f, 0f).accumulatesInF32(), "flash attention");
            assertFalse(ctx.mulMat(k, q).accumulatesInF32(), "a plain product leaves the choice to the backend");
            assertFalse(ctx.attention().softMax(ctx.mulMat(k, q), null, 1f, 0f).accumulatesInF32(), "not a product");
        }
    }
}
