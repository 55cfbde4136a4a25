package dev.llmgraph.reference;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;

/**
 * The feed-forward network and its activations, from their definitions:
 * <pre>
 *  plain  down(act(up(x)))
 *  gated  down(act(gate(x)) * up(x))        SwiGLU, GeGLU, ReGLU, bilinear
 * </pre>
 * GELU is computed here with its own erf (a series with positive terms), not the one of the main code, so
 * that the two are independent.
 */
final class ReferenceFfn {
    private ReferenceFfn() {}

    /** The FFN of block {@code layer} over one token's vector. */
    static double[] apply(Ffn ffn, double[] x, ReferenceWeights w, int layer) {
        String b = "blk." + layer + ".";
        double[] up = w.linear(b + "ffn_up", x);
        double[] gate = ffn.gated() ? w.linear(b + "ffn_gate", x) : null;
        return w.linear(b + "ffn_down", hidden(ffn, up, gate));
    }

    /** act(gate) * up when gated (gate given), act(up) otherwise. */
    static double[] hidden(Ffn ffn, double[] up, double[] gate) {
        double[] hidden = new double[up.length];
        for (int i = 0; i < up.length; i++) {
            hidden[i] = ffn.gated() ? activation(ffn.activation(), gate[i]) * up[i] : activation(ffn.activation(), up[i]);
        }
        return hidden;
    }

    static double activation(Activation activation, double x) {
        return switch (activation) {
            case RELU -> x > 0 ? x : 0;
            // x * Phi(x), Phi the standard normal CDF
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            // GPT-2's approximation (Hendrycks and Gimpel 2016, eq. in section 2)
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1 + Math.exp(-x));
            case IDENTITY -> x;
        };
    }

    /**
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)) (Abramowitz and Stegun
     * 7.1.6): every term is positive, so nothing cancels; past |x| = 6, erf is 1 to double precision.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 6) {
            return Math.signum(x);
        }
        double term = ax, sum = ax;
        for (int n = 1; n < 500 && term > 1e-18 * sum; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
        return x < 0 ? -r : r;
    }
}
