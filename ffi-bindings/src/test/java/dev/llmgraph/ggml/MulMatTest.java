package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static dev.llmgraph.ggml.Reference.abs;
import static dev.llmgraph.ggml.Reference.count;
import static dev.llmgraph.ggml.Reference.four;
import static dev.llmgraph.ggml.Reference.longs;
import static dev.llmgraph.ggml.Reference.mulMat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * mul_mat against the double-precision product, for f32, f16 and q8_0 weights, matrix-vector and
 * matrix-matrix shapes, and the head broadcast that grouped-query attention relies on.
 *
 * <p>Tolerance: a bound computed per output element from the data, not one number. Each product term
 * a_i·b_i can be off by what storage did to its factors (e_a, e_b: zero for f32; for f16 half an ulp,
 * 2^-11 relative; for q8_0 see {@link Reference#q8_0ErrorBound}), and the sum by the float rounding of k
 * additions in any order (Higham's γ_k = k·u with u = 2^-24 for f32 accumulation):
 * <pre>  |c - ref| <= Σ (|a|·e_b + e_a·|b| + e_a·e_b) + (k + 2)·u · Σ (|a| + e_a)(|b| + e_b)</pre>
 * The reference uses the f16-rounded weights where the tensor is f16, so e_a = 0 there. On CUDA, f32 × f32
 * products run on TF32 tensor cores (ggml-cuda sets cuBLAS to {@code CUBLAS_TF32_TENSOR_OP_MATH}): both factors
 * are rounded to 10-bit mantissas, e_a = |a|·2^-11 and e_b = |b|·2^-11 (seen on an H200: 4e-4 relative where
 * the CPU is exact to 1e-7). A wrong layout or broadcast would be off by about Σ|a·b| itself, far beyond this.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class MulMatTest {
    private static final double F32_UNIT_ROUNDOFF = 0x1p-24;
    /** ggml's CUDA path for f16 weights may use cuBLAS with f16 accumulation (compute type 16F). */
    private static final double F16_UNIT_ROUNDOFF = 0x1p-11;

    /** A product a [k, n, a2, a3] × b [k, m, b2, b3] with weights a of a given type. */
    record Case(GgmlType weights, int[] aNe, int[] bNe, String purpose) {
        @Override
        public String toString() {
            return purpose + ", " + weights + " a " + Arrays.toString(aNe) + " × f32 b " + Arrays.toString(bNe);
        }
    }

    static Stream<Arguments> cases() {
        return Backends.crossed(Stream.of(
                new Case(GgmlType.F32, four(64, 32), four(64, 7), "matrix-matrix"),
                new Case(GgmlType.F32, four(256, 16), four(256, 1), "matrix-vector (decoding one token)"),
                new Case(GgmlType.F32, four(3, 5), four(3, 4), "odd sizes"),
                new Case(GgmlType.F32, four(96, 40, 3), four(96, 33, 3), "batched, one a per b"),
                new Case(GgmlType.F32, four(32, 12, 2), four(32, 5, 8), "GQA: 2 key heads, 8 query heads"),
                new Case(GgmlType.F32, four(32, 12, 1), four(32, 5, 4), "MQA: 1 key head, 4 query heads"),
                new Case(GgmlType.F32, four(32, 8, 2, 1), four(32, 4, 4, 3), "broadcast in dimensions 2 and 3"),
                new Case(GgmlType.F16, four(64, 32), four(64, 7), "f16 weights"),
                new Case(GgmlType.F16, four(64, 16), four(64, 1), "f16 weights, matrix-vector"),
                new Case(GgmlType.F16, four(32, 12, 2), four(32, 5, 8), "f16 K cache with GQA"),
                new Case(GgmlType.Q8_0, four(128, 16), four(128, 5), "q8_0 weights"),
                new Case(GgmlType.Q8_0, four(256, 24), four(256, 1), "q8_0 weights, matrix-vector")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesTheDoublePrecisionProduct(String backendName, Case c) {
        RandomInputs random = RandomInputs.forCase("mul_mat", c);
        float[] a = random.uniform(count(c.aNe()), -1, 1);
        float[] b = random.uniform(count(c.bNe()), -1, 1);
        float[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor ta = ctx.newTensor("a", c.weights(), longs(c.aNe()));
            Tensor tb = ctx.newTensor("b", GgmlType.F32, longs(c.bNe()));
            ctx.allocate(backend);
            ta.setFloats(a);
            tb.setFloats(b);
            Tensor product = ctx.mulMat(ta, tb);
            shape = product.ne();
            got = Backends.computeAndRead(backend, ctx, product);
        }
        assertArrayEquals(new long[] {c.aNe()[1], c.bNe()[1], c.bNe()[2], c.bNe()[3]}, shape, "result [n, m, b2, b3]");

        double[] storedA = c.weights() == GgmlType.F16 ? Reference.roundedToF16(a) : RandomInputs.widen(a);
        boolean tf32 = Backends.isCuda(backendName) && c.weights() == GgmlType.F32;
        double[] errorA = c.weights() == GgmlType.Q8_0 ? Reference.q8_0ErrorBound(a)
                : tf32 ? tf32ErrorBound(a) : new double[a.length];
        double[] errorB = switch (c.weights()) {
            // ggml converts b to the weights' dot-product type: f16 for f16 weights, q8_0 for q8_0 weights.
            case F16 -> Arrays.stream(RandomInputs.widen(b)).map(x -> Math.abs(x) * 0x1p-11 + 0x1p-25).toArray();
            case Q8_0 -> Reference.q8_0ErrorBound(b);
            default -> tf32 ? tf32ErrorBound(b) : new double[b.length];
        };
        double unitRoundoff = Backends.isCuda(backendName) && c.weights() == GgmlType.F16
                ? F16_UNIT_ROUNDOFF : F32_UNIT_ROUNDOFF;
        double[] expected = mulMat(storedA, c.aNe(), RandomInputs.widen(b), c.bNe());
        double[] allowed = allowedError(abs(storedA), errorA, abs(RandomInputs.widen(b)), errorB, c, unitRoundoff);
        Compare.assertClose("mul_mat " + c, expected, allowed, got);
    }

    /** What rounding to TF32 (10-bit mantissa, to nearest) can do to each value: half an ulp, 2^-11 relative. */
    private static double[] tf32ErrorBound(float[] values) {
        return Arrays.stream(RandomInputs.widen(values)).map(x -> Math.abs(x) * 0x1p-11).toArray();
    }

    /** The bound in the class comment, evaluated with the reference product itself. */
    private static double[] allowedError(double[] absA, double[] errorA, double[] absB, double[] errorB, Case c,
                                         double unitRoundoff) {
        double[] storage = sum(mulMat(absA, c.aNe(), errorB, c.bNe()), mulMat(errorA, c.aNe(), absB, c.bNe()),
                mulMat(errorA, c.aNe(), errorB, c.bNe()));
        double[] magnitude = mulMat(sum(absA, errorA), c.aNe(), sum(absB, errorB), c.bNe());
        double gamma = (c.aNe()[0] + 2) * unitRoundoff;
        double[] out = new double[storage.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = storage[i] + gamma * magnitude[i];
        }
        return out;
    }

    private static double[] sum(double[]... terms) {
        double[] out = new double[terms[0].length];
        for (double[] t : terms) {
            for (int i = 0; i < out.length; i++) {
                out[i] += t[i];
            }
        }
        return out;
    }
}
