package dev.llmgraph.reference;

import dev.llmgraph.model.Logits;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;

/**
 * How far ggml (float32, CPU) may be from the double-precision reference, as a share of the reference's
 * scale: {@code max |ggml - reference| <= tolerance * rms(reference)}. Each number is a few times the
 * largest error seen over the sample, and far below what a wrong wiring gives (ReferenceSensitivityTest
 * swaps one setting and sees errors from 4e-4, GELU's erf against its tanh form, up to 2).
 */
final class Tolerances {
    private Tolerances() {}

    /**
     * float32 throughout: matrix products, norms and softmax over widths of 32 to 64 accumulate rounding of
     * about 1e-7 per step; over two blocks the worst case seen was 3e-6.
     */
    static final double FLOAT32 = 2e-5;

    /**
     * ggml's CPU flash attention takes the mask in F16. Causal, prefix and window masks (0 / -inf) and ALiBi
     * distances (small integers) are exact in F16, but T5's learned biases lose 2^-11 of their value: seen
     * up to 3e-4.
     */
    static final double F16_MASK = 1e-3;

    /**
     * ggml's CPU GELU in tanh form (GELU_TANH, GeGLU) rounds its input to F16 and reads the result from an
     * F16 table (GGML_GELU_FP16 in ggml-cpu/vec.h): about 1e-3 relative per activation, seen up to 1.7e-3
     * on the logits. Exact GELU (erf) is computed in float32 and needs no allowance.
     */
    static final double F16_GELU_TABLE = 5e-3;

    /** The tolerance for the logits of a model of {@code spec}: the largest of the allowances it needs. */
    static double logits(ModelSpec spec) {
        double tolerance = FLOAT32;
        boolean maskCarriesBias = switch (spec.positional()) {
            case Positional.T5Bias _ -> true; // the per-head bias rides in the F16 flash-attention mask
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _,
                 Positional.Alibi _ -> false;
        };
        if (maskCarriesBias && spec.attention() != null && spec.attention().flash()) {
            tolerance = Math.max(tolerance, F16_MASK);
        }
        boolean expertsUseTable = spec.moe() != null && spec.moe().expert().activation() == Activation.GELU_TANH;
        if (spec.ffn() != null && spec.ffn().activation() == Activation.GELU_TANH || expertsUseTable) {
            tolerance = Math.max(tolerance, F16_GELU_TABLE);
        }
        return tolerance;
    }

    /** max |actual - expected| / rms(expected) over all positions and tokens. */
    static double relativeError(Logits actual, double[][] expected) {
        double max = 0, squares = 0;
        int n = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < expected[t].length; v++) {
                max = Math.max(max, Math.abs(actual.get(t, v) - expected[t][v]));
                squares += expected[t][v] * expected[t][v];
                n++;
            }
        }
        return max / Math.sqrt(squares / n);
    }

    /** max |actual - expected| / rms(expected) of two flattened node values. */
    static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException(actual.length + " values against " + expected.length);
        }
        double max = 0, squares = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
            squares += expected[i] * expected[i];
        }
        return max / Math.sqrt(squares / expected.length);
    }
}
