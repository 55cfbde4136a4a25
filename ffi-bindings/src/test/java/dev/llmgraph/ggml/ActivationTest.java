package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

/** The element-wise activations against their double-precision definitions, on inputs in [-6, 6). */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class ActivationTest {
    /**
     * Activations computed in float with libm-quality exp, tanh and erf are within a few ulps (2^-24
     * relative each); CUDA's -use_fast_math exp loses up to about 2 + 1.2·|x| ulps. 1e-5 relative covers
     * both, with 1e-6 absolute for results near zero.
     */
    static double smoothTolerance(double x, double expected) {
        return 1e-6 + 1e-5 * Math.abs(expected);
    }

    /**
     * ggml's CPU gelu (tanh form) reads a table indexed by the f16 value of x: x is rounded to f16 (up to
     * 2^-11 · |x|, times a slope |gelu'| < 1.13) and so is the result (2^-11 · |y|). Together at most
     * 2^-11 · (1.13 |x| + |y|) <= 2^-10 · (|x| + |y|).
     */
    static double f16TableTolerance(double x, double expected) {
        return 0x1p-10 * (Math.abs(x) + Math.abs(expected)) + 1e-7;
    }

    enum Activation {
        GELU(Reference::gelu, ActivationTest::f16TableTolerance),
        GELU_ERF(Reference::geluErf, ActivationTest::smoothTolerance),
        SILU(Reference::silu, ActivationTest::smoothTolerance),
        RELU(Reference::relu, (x, y) -> 0.0),
        TANH(Math::tanh, ActivationTest::smoothTolerance),
        SIGMOID(x -> 1 / (1 + Math.exp(-x)), ActivationTest::smoothTolerance);

        final DoubleUnaryOperator reference;
        final BiFunction<Double, Double, Double> tolerance;

        Activation(DoubleUnaryOperator reference, BiFunction<Double, Double, Double> tolerance) {
            this.reference = reference;
            this.tolerance = tolerance;
        }

        Tensor apply(Context ctx, Tensor x) {
            return switch (this) {
                case GELU -> ctx.gelu(x);
                case GELU_ERF -> ctx.geluErf(x);
                case SILU -> ctx.silu(x);
                case RELU -> ctx.relu(x);
                case TANH -> ctx.tanh(x);
                case SIGMOID -> ctx.sigmoid(x);
            };
        }
    }

    static Stream<Arguments> cases() {
        return Backends.crossed(Stream.of(Activation.values()));
    }

    @ParameterizedTest(name = "{0}: {1} of x [96, 5]")
    @MethodSource("cases")
    void matchesItsDefinition(String backendName, Activation activation) {
        RandomInputs random = RandomInputs.forCase("activation", activation);
        float[] x = random.uniform(96 * 5, -6, 6);
        x[0] = 0;
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, 96, 5);
            ctx.allocate(backend);
            tx.setFloats(x);
            got = Backends.computeAndRead(backend, ctx, activation.apply(ctx, tx));
        }
        double[] expected = new double[x.length];
        double[] allowed = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = activation.reference.applyAsDouble(x[i]);
            allowed[i] = activation.tolerance.apply((double) x[i], expected[i]);
        }
        Compare.assertClose(activation.name().toLowerCase(java.util.Locale.ROOT), expected, allowed, got);
    }
}
