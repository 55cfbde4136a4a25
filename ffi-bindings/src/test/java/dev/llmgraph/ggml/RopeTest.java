package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import dev.llmgraph.ggml.AttentionReference.Rope;
import dev.llmgraph.ggml.Compare.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.llmgraph.ggml.Reference.count;
import static dev.llmgraph.ggml.Reference.four;
import static dev.llmgraph.ggml.Reference.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * rope_ext against rotary embedding computed from its definition (see {@link AttentionReference#rope}):
 * both pairings, position interpolation (freqScale < 1), NTK-aware and LLaMA-3 bases, partial rotation,
 * YaRN, and per-pair frequency divisors (Llama 3's scaling).
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class RopeTest {
    /**
     * Inputs lie in [-1, 1) and positions below 512. ggml's CPU kernel builds the angles as
     * p · theta_scale^i by repeated float multiplication, so angle i is off by up to about 2i · 2^-24
     * relatively, at most 1.3 · p · 2^-23 ≈ 8e-5 radians over all i for these bases; the output moves by as
     * much. 2e-4 leaves room for sin and cos; a wrong pairing or frequency is off by O(1).
     */
    private static final Tolerance ROPE_CPU = Tolerance.absolute(2e-4);
    /** ggml's CUDA build uses -use_fast_math: __powf, __sinf and __cosf lose accuracy as arguments grow. */
    private static final Tolerance ROPE_CUDA = Tolerance.absolute(1e-3);

    private static final int MAX_POSITION = 512;

    /** x [headDim, heads, tokens] rotated with {@code rope}. */
    record Case(int headDim, int heads, int tokens, Rope rope, String purpose) {
        @Override
        public String toString() {
            return purpose + ": " + rope.mode() + ", x [" + headDim + ", " + heads + ", " + tokens + "], dims "
                    + rope.dims() + ", base " + rope.freqBase() + ", freqScale " + rope.freqScale()
                    + (rope.yarn().equals(Yarn.OFF) ? "" : ", " + rope.yarn() + ", contextOrig " + rope.contextOrig());
        }
    }

    private static Rope plain(int dims, RopeMode mode, double base, double scale) {
        return new Rope(dims, mode, base, scale, 4096, Yarn.OFF);
    }

    static Stream<Arguments> cases() {
        // NTK-aware scaling by alpha = 8 raises the base to base · alpha^(d / (d - 2)) (bloc97, 2023).
        double ntkBase = Math.round(10000 * Math.pow(8, 64.0 / 62));
        return Backends.crossed(Stream.of(
                new Case(64, 4, 6, plain(64, RopeMode.NORMAL, 10000, 1), "LLaMA (Meta layout)"),
                new Case(64, 4, 6, plain(64, RopeMode.NEOX, 10000, 1), "GPT-NeoX / HF layout"),
                new Case(64, 2, 5, plain(64, RopeMode.NORMAL, 10000, 0.25), "position interpolation 4x"),
                new Case(32, 3, 5, plain(32, RopeMode.NEOX, 10000, 0.5), "position interpolation 2x"),
                new Case(64, 2, 5, plain(64, RopeMode.NEOX, ntkBase, 1), "NTK-aware base, alpha 8"),
                new Case(64, 2, 5, plain(64, RopeMode.NORMAL, 500000, 1), "LLaMA 3 base"),
                new Case(64, 2, 5, plain(16, RopeMode.NEOX, 10000, 1), "partial rotation, 25% (GPT-NeoX)"),
                new Case(32, 2, 5, plain(8, RopeMode.NORMAL, 10000, 1), "partial rotation, 25% (GPT-J)"),
                new Case(64, 2, 5, new Rope(64, RopeMode.NEOX, 10000, 0.25, 4096, Yarn.standard(1f)), "YaRN 4x"),
                new Case(64, 2, 5, new Rope(48, RopeMode.NORMAL, 10000, 0.5, 2048, new Yarn(0.5f, 0.9f, 32f, 1f)),
                        "YaRN half-blended, partial"),
                new Case(64, 2, 5, new Rope(64, RopeMode.NORMAL, 500000, 1, 4096, Yarn.OFF, rampOfDivisors(32, 8)),
                        "per-pair divisors, 1 to 8 (Llama 3's rope_freqs)"),
                new Case(64, 2, 5, new Rope(32, RopeMode.NEOX, 10000, 1, 4096, Yarn.OFF, rampOfDivisors(16, 4)),
                        "per-pair divisors, 1 to 4, partial rotation")));
    }

    /** {@code pairs} divisors rising from 1 to {@code factor}: the shape of Llama 3's, not its values. */
    private static float[] rampOfDivisors(int pairs, float factor) {
        float[] divisors = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            divisors[i] = 1 + (factor - 1) * i / (pairs - 1);
        }
        return divisors;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesRotaryEmbeddingFromItsDefinition(String backendName, Case c) {
        RandomInputs random = RandomInputs.forCase("rope_ext", c);
        int[] ne = four(c.headDim(), c.heads(), c.tokens());
        float[] x = random.uniform(count(ne), -1, 1);
        int[] positions = random.ints(c.tokens(), MAX_POSITION);
        positions[0] = 0; // the first token of a sequence: no rotation at all
        Rope rope = c.rope();
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, longs(ne));
            Tensor tpos = ctx.newTensor("positions", GgmlType.I32, c.tokens());
            Tensor divisors = rope.divisors() == null ? null
                    : ctx.newTensor("divisors", GgmlType.F32, rope.divisors().length);
            ctx.allocate(backend);
            tx.setFloats(x);
            tpos.setInts(positions);
            if (divisors != null) {
                divisors.setFloats(rope.divisors());
            }
            Tensor out = ctx.attention().rope(tx, tpos, divisors, rope.dims(), rope.mode(), rope.contextOrig(),
                    (float) rope.freqBase(), (float) rope.freqScale(), rope.yarn());
            got = Backends.computeAndRead(backend, ctx, out);
        }
        double[] expected = AttentionReference.rope(RandomInputs.widen(x), ne, positions, rope);
        Compare.assertClose("rope_ext " + c, expected, got, Backends.isCuda(backendName) ? ROPE_CUDA : ROPE_CPU);
    }

    /**
     * The YaRN case above is only meaningful if its blending range lies strictly inside the rotated pairs
     * and away from the rounding points, so that float and double agree on floor and ceil.
     */
    @Test
    void yarnCorrectionRangeIsInsideTheRotatedPairs() {
        Rope rope = new Rope(64, RopeMode.NEOX, 10000, 0.25, 4096, Yarn.standard(1f));
        double low = AttentionReference.pairTurning(rope, 32), high = AttentionReference.pairTurning(rope, 1);
        assertArrayEquals(new double[] {10, 23}, AttentionReference.yarnCorrectionDims(rope), 0);
        assertArrayEquals(new double[] {10.47, 22.51}, new double[] {low, high}, 0.01);
    }
}
