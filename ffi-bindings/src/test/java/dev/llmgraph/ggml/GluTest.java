package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The gated linear units act(gate) · up (Shazeer 2020) against their definitions, in both of ggml's forms:
 * split (gate and up as two tensors) and fused (one tensor whose rows hold the gate in the first half and
 * up in the second, as ggml's non-swapped GLU reads them). The fused case also pins down that convention:
 * with the halves the other way round, every element would differ.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class GluTest {
    private static final int WIDTH = 48;
    private static final int ROWS = 5;

    enum Form { SPLIT, FUSED }

    static Stream<Arguments> cases() {
        return Backends.crossedArguments(Stream.of(Glu.values())
                .flatMap(kind -> Stream.of(Form.values()).map(form -> Arguments.of(kind, form))));
    }

    @ParameterizedTest(name = "{0}: {1} {2}, out [" + WIDTH + ", " + ROWS + "]")
    @MethodSource("cases")
    void matchesActivationOfGateTimesUp(String backendName, Glu kind, Form form) {
        RandomInputs random = RandomInputs.forCase("glu", kind, form);
        float[] gate = random.uniform(WIDTH * ROWS, -6, 6);
        float[] up = random.uniform(WIDTH * ROWS, -2, 2);
        float[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor out;
            if (form == Form.SPLIT) {
                Tensor tgate = ctx.newTensor("gate", GgmlType.F32, WIDTH, ROWS);
                Tensor tup = ctx.newTensor("up", GgmlType.F32, WIDTH, ROWS);
                ctx.allocate(backend);
                tgate.setFloats(gate);
                tup.setFloats(up);
                out = ctx.glu(kind, tgate, tup);
            } else {
                Tensor fused = ctx.newTensor("gate_up", GgmlType.F32, 2 * WIDTH, ROWS);
                ctx.allocate(backend);
                fused.setFloats(interleaveHalves(gate, up));
                out = ctx.glu(kind, fused);
            }
            shape = out.ne();
            got = Backends.computeAndRead(backend, ctx, out);
        }
        assertArrayEquals(new long[] {WIDTH, ROWS, 1, 1}, shape, "result [width, rows]");

        double[] expected = new double[gate.length];
        double[] allowed = new double[gate.length];
        for (int i = 0; i < gate.length; i++) {
            double activated = activation(kind).applyAsDouble(gate[i]);
            expected[i] = activated * up[i];
            allowed[i] = switch (kind) {
                // the f16 table's error in gelu(gate), carried through the product, plus its float rounding
                case GEGLU -> ActivationTest.f16TableTolerance(gate[i], activated) * Math.abs(up[i])
                        + 0x1p-24 * Math.abs(expected[i]);
                case REGLU -> 0x1p-24 * Math.abs(expected[i]); // one float product, correctly rounded
                case SWIGLU, GEGLU_ERF -> ActivationTest.smoothTolerance(gate[i], expected[i]);
            };
        }
        Compare.assertClose(kind.opName() + " " + form, expected, allowed, got);
    }

    private static DoubleUnaryOperator activation(Glu kind) {
        return switch (kind) {
            case SWIGLU -> Reference::silu;
            case GEGLU -> Reference::gelu;
            case GEGLU_ERF -> Reference::geluErf;
            case REGLU -> Reference::relu;
        };
    }

    /** Rows of [gate | up], each half {@link #WIDTH} long. */
    private static float[] interleaveHalves(float[] gate, float[] up) {
        float[] out = new float[2 * gate.length];
        for (int row = 0; row < ROWS; row++) {
            System.arraycopy(gate, row * WIDTH, out, 2 * row * WIDTH, WIDTH);
            System.arraycopy(up, row * WIDTH, out, (2 * row + 1) * WIDTH, WIDTH);
        }
        return out;
    }
}
