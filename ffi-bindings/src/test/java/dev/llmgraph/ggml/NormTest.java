package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import dev.llmgraph.ggml.Compare.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static dev.llmgraph.ggml.Reference.count;
import static dev.llmgraph.ggml.Reference.longs;

/**
 * norm (LayerNorm without gain and bias) and rms_norm (RMSNorm without gain) against double-precision
 * versions, for row lengths from a toy model's to a 7B model's, with an eps small enough to vanish and one
 * large enough to matter.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class NormTest {
    /**
     * The outputs are O(1) (|x̂| < 4 here). ggml sums a row of up to 4096 floats in float, so the mean and
     * variance carry rounding errors of order √n · 2^-24 ≈ 4e-6 relative for n = 4096 (a random walk of
     * roundings; ggml's blocked sums do better), and so does the result. A wrong eps, mean or row length
     * moves the result by 1e-3 or more.
     */
    private static final Tolerance NORM = new Tolerance(5e-6, 5e-6);

    enum Kind { NORM, RMS_NORM }

    /** x [rowLength, rows, ne2] normalised along each row. */
    record Case(Kind kind, int[] ne, float eps) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " x " + Arrays.toString(ne) + ", eps " + eps;
        }
    }

    static Stream<Arguments> cases() {
        return Backends.crossed(Stream.of(Kind.values()).flatMap(kind -> Stream.of(
                new Case(kind, new int[] {64, 5}, 1e-5f),
                new Case(kind, new int[] {1000, 3}, 1e-6f),
                new Case(kind, new int[] {4096, 2}, 1e-5f),
                new Case(kind, new int[] {32, 4, 3}, 1e-5f),
                new Case(kind, new int[] {48, 6}, 0.5f))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesTheDoublePrecisionNorm(String backendName, Case c) {
        RandomInputs random = RandomInputs.forCase("norm", c);
        float[] x = random.uniform(count(c.ne()), -1, 1);
        if (c.kind() == Kind.NORM) {
            for (int i = 0; i < x.length; i++) {
                x[i] += 3; // LayerNorm must remove the mean; RMSNorm must not
            }
        }
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, longs(c.ne()));
            ctx.allocate(backend);
            tx.setFloats(x);
            Tensor out = c.kind() == Kind.NORM ? ctx.norm(tx, c.eps()) : ctx.rmsNorm(tx, c.eps());
            got = Backends.computeAndRead(backend, ctx, out);
        }
        double[] wide = RandomInputs.widen(x);
        double[] expected = c.kind() == Kind.NORM
                ? Reference.norm(wide, c.ne()[0], c.eps()) : Reference.rmsNorm(wide, c.ne()[0], c.eps());
        Compare.assertClose(c.toString(), expected, got, NORM);
    }
}
