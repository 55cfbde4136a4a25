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

/**
 * soft_max_ext (softmax(x · scale + slope · mask) along rows) against the double-precision softmax:
 * plain, scaled, with a causal mask, a mask with spare rows, a per-head mask, an f16 mask and ALiBi for a
 * power-of-two and a non-power-of-two head count (the two branches of ggml's slope formula).
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class SoftMaxTest {
    /**
     * Relative, because each probability is exp(logit - max) / Σ: float rounding of the logits (|logit| up
     * to about 16 here, ALiBi slopes computed as float powers m^(h+1)) moves each logit by about 1e-6, which
     * changes each probability by a few times that, relatively. The absolute part is only for probabilities
     * so small that their float representation is the limit.
     */
    private static final Tolerance SOFTMAX = new Tolerance(1e-12, 2e-5);

    enum MaskKind { NONE, CAUSAL, CAUSAL_F16, PADDED_ROWS, PER_HEAD, ALIBI }

    /** x [keys, queries, heads, ne3]; the queries are the last of the keys, as with a KV cache. */
    record Case(int keys, int queries, int heads, int ne3, MaskKind mask, float scale, float maxBias) {
        @Override
        public String toString() {
            return "x [" + keys + ", " + queries + ", " + heads + ", " + ne3 + "], mask " + mask + ", scale " + scale
                    + ", maxBias " + maxBias;
        }
    }

    static Stream<Arguments> cases() {
        return Backends.crossed(Stream.of(
                new Case(16, 3, 2, 1, MaskKind.NONE, 1f, 0f),
                new Case(16, 3, 2, 1, MaskKind.NONE, 0.125f, 0f),
                new Case(10, 10, 4, 1, MaskKind.CAUSAL, 0.125f, 0f),
                new Case(12, 5, 4, 2, MaskKind.CAUSAL, 0.25f, 0f),
                new Case(12, 5, 4, 1, MaskKind.CAUSAL_F16, 0.25f, 0f),
                new Case(12, 5, 2, 1, MaskKind.PADDED_ROWS, 1f, 0f),
                new Case(9, 9, 3, 1, MaskKind.PER_HEAD, 0.5f, 0f),
                new Case(12, 12, 8, 1, MaskKind.ALIBI, 0.125f, 8f),
                new Case(12, 6, 12, 1, MaskKind.ALIBI, 0.125f, 8f),
                new Case(7, 7, 5, 1, MaskKind.ALIBI, 1f, 4f)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesTheDoublePrecisionSoftmax(String backendName, Case c) {
        RandomInputs random = RandomInputs.forCase("soft_max_ext", c);
        int[] xNe = four(c.keys(), c.queries(), c.heads(), c.ne3());
        float[] x = random.uniform(count(xNe), -4, 4);
        int[] maskNe = maskShape(c);
        double[] mask = maskNe == null ? null : maskValues(c, maskNe, random);

        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, longs(xNe));
            GgmlType maskType = c.mask() == MaskKind.CAUSAL_F16 ? GgmlType.F16 : GgmlType.F32;
            Tensor tmask = maskNe == null ? null : ctx.newTensor("mask", maskType, longs(maskNe));
            ctx.allocate(backend);
            tx.setFloats(x);
            if (tmask != null) {
                tmask.setFloats(toFloats(mask));
            }
            got = Backends.computeAndRead(backend, ctx, ctx.attention().softMax(tx, tmask, c.scale(), c.maxBias()));
        }
        double[] expected = AttentionReference.softMax(RandomInputs.widen(x), xNe, mask, maskNe, c.scale(), c.maxBias());
        Compare.assertClose("soft_max_ext " + c, expected, got, SOFTMAX);
    }

    private static int[] maskShape(Case c) {
        return switch (c.mask()) {
            case NONE -> null;
            case CAUSAL, CAUSAL_F16, ALIBI -> four(c.keys(), c.queries());
            case PADDED_ROWS -> four(c.keys(), c.queries() + 3);
            case PER_HEAD -> four(c.keys(), c.queries(), c.heads());
        };
    }

    /** Causal or ALiBi masks, with random finite biases where a kind asks for them. */
    private static double[] maskValues(Case c, int[] maskNe, RandomInputs random) {
        return switch (c.mask()) {
            case NONE -> null;
            case CAUSAL, CAUSAL_F16 -> AttentionReference.causalMask(c.keys(), c.queries());
            case ALIBI -> AttentionReference.alibiMask(c.keys(), c.queries());
            case PADDED_ROWS -> {
                // The spare rows hold values the op must not read: if it did, the +100 would dominate.
                double[] mask = new double[count(maskNe)];
                float[] bias = random.uniform(c.keys() * c.queries(), -2, 2);
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = i < bias.length ? bias[i] : 100;
                }
                yield mask;
            }
            case PER_HEAD -> {
                double[] causal = AttentionReference.causalMask(c.keys(), c.queries());
                float[] bias = random.uniform(count(maskNe), -2, 2);
                double[] mask = new double[bias.length];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = causal[i % causal.length] + bias[i];
                }
                yield mask;
            }
        };
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
