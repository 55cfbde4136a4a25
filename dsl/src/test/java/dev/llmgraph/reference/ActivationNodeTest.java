package dev.llmgraph.reference;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.NodeValue;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each FFN's hidden activation, element by element: ggml's {@code ffn_act.0} against the reference
 * activation applied to ggml's own {@code ffn_gate.0} / {@code ffn_up.0}, so only the activation is under
 * test. The tolerance models ggml's numerics per element; the activation's nearest confusable twin (GELU's
 * erf form against its tanh form, SiLU against GELU) must break it.
 */
class ActivationNodeTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static Stream<Arguments> ffns() {
        // The mixture-of-experts values of the axis name their nodes per expert (RoutingTest checks them).
        return ArchitectureAxes.AXES.stream().filter(a -> a.name().equals("ffn")).findFirst().orElseThrow()
                .choices().stream().filter(c -> !isMoe(c)).map(c -> Arguments.of(c.label(), c));
    }

    private static boolean isMoe(ArchitectureAxes.Choice choice) {
        ArchitectureAxes.Draft draft = new ArchitectureAxes.Draft();
        choice.apply().accept(draft);
        return draft.build(choice.label()).sparse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ffns")
    void hiddenActivationMatchesTheDefinition(String label, ArchitectureAxes.Choice choice) {
        ArchitectureAxes.Draft draft = new ArchitectureAxes.Draft();
        choice.apply().accept(draft);
        ModelSpec spec = draft.build(label);
        Ffn ffn = spec.ffn();
        int[] tokens = new SplittableRandom(5).ints(12, 0, spec.vocabSize()).toArray();
        try (Model model = Model.random(spec, WeightInit.lecun(9), CPU)) {
            var nodes = ffn.gated() ? model.inspect(tokens, "ffn_gate.0", "ffn_up.0", "ffn_act.0")
                    : model.inspect(tokens, "ffn_up.0", "ffn_act.0");
            float[] x = (ffn.gated() ? nodes.node("ffn_gate.0") : nodes.node("ffn_up.0")).values();
            float[] up = ffn.gated() ? nodes.node("ffn_up.0").values() : null;
            NodeValue act = nodes.node("ffn_act.0");
            assertTrue(violations(ffn.activation(), ffn.activation(), x, up, act.values()) == 0,
                    label + ": ffn_act.0 differs from the definition");
            Activation twin = switch (ffn.activation()) {
                case GELU -> Activation.GELU_TANH;
                case GELU_TANH -> Activation.GELU;
                case SILU -> Activation.GELU;
                case RELU, IDENTITY -> Activation.SILU;
            };
            assertTrue(violations(ffn.activation(), twin, x, up, act.values()) > 0,
                    label + ": " + twin + " would pass as well; the check could not tell them apart");
        }
    }

    /** Elements where ggml's value is farther from {@code expected}(x) (* up) than the error model allows. */
    private static int violations(Activation actual, Activation expected, float[] x, float[] up, float[] y) {
        int bad = 0;
        for (int i = 0; i < y.length; i++) {
            double u = up == null ? 1 : up[i];
            double want = ReferenceFfn.activation(expected, x[i]) * u;
            if (Math.abs(y[i] - want) > allowance(actual, x[i]) * Math.abs(u) + 1e-6 * Math.abs(want) + 1e-9) {
                bad++;
            }
        }
        return bad;
    }

    /**
     * ggml computes these activations in float32: 1e-6 relative, plus, for GELU's 0.5x(1 + erf(...)), the
     * rounding of 1 + erf near -1, which is absolute (2^-24 of 1, times x) and dominates for x below -3. GELU
     * in tanh form instead rounds its input to F16 and reads an F16 table (GGML_GELU_FP16, ggml-cpu/vec.h):
     * an input step of one F16 ulp moves the output by slope x ulp, and the table entry is off by up to one
     * F16 ulp.
     */
    private static double allowance(Activation activation, double x) {
        double float32 = 0x1p-23 * Math.abs(x);
        if (activation != Activation.GELU_TANH || Math.abs(x) >= 10) {
            return float32;
        }
        double h = 1e-4;
        double slope = (ReferenceFfn.activation(activation, x + h) - ReferenceFfn.activation(activation, x - h)) / (2 * h);
        return float32 + Math.abs(slope) * f16Ulp(x) + f16Ulp(ReferenceFfn.activation(activation, x));
    }

    /** The spacing of F16 values around {@code v} (a step larger at a power of two, to be safe). */
    private static double f16Ulp(double v) {
        double a = Math.abs(v);
        return a < 0x1p-14 ? 0x1p-24 : Math.scalb(1.0, Math.getExponent((float) a) - 9);
    }
}
