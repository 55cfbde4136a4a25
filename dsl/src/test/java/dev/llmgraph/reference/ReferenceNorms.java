package dev.llmgraph.reference;

import dev.llmgraph.spec.Norm;

/**
 * The norms, written from their definitions over one vector:
 * <pre>
 *  LayerNorm      (x - mean) / sqrt(mean((x - mean)^2) + eps) * g + b
 *  RMSNorm        x / sqrt(mean(x^2) + eps) * g
 *  SimpleRMSNorm  x / sqrt(mean(x^2) + eps)
 * </pre>
 */
final class ReferenceNorms {
    private ReferenceNorms() {}

    /** {@code norm} of {@code x} with the weight {@code base}.weight and bias {@code base}.bias where it has them. */
    static double[] apply(Norm norm, double[] x, ReferenceWeights w, String base) {
        double[] gain = switch (norm) {
            case Norm.LayerNorm _, Norm.RmsNorm _ -> w.get(base + ".weight");
            case Norm.SimpleRmsNorm _ -> null;
        };
        double[] bias = switch (norm) {
            case Norm.LayerNorm ln -> ln.bias() ? w.get(base + ".bias") : null;
            case Norm.RmsNorm _, Norm.SimpleRmsNorm _ -> null;
        };
        double[] y = switch (norm) {
            case Norm.LayerNorm ln -> layerNorm(x, ln.eps());
            case Norm.RmsNorm rms -> rmsNorm(x, rms.eps());
            case Norm.SimpleRmsNorm simple -> rmsNorm(x, simple.eps());
        };
        for (int i = 0; i < y.length; i++) {
            y[i] = y[i] * (gain == null ? 1 : gain[i]) + (bias == null ? 0 : bias[i]);
        }
        return y;
    }

    static double[] layerNorm(double[] x, double eps) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double variance = 0;
        for (double v : x) {
            variance += (v - mean) * (v - mean);
        }
        variance /= x.length;
        double inv = 1 / Math.sqrt(variance + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) * inv;
        }
        return y;
    }

    static double[] rmsNorm(double[] x, double eps) {
        double meanSquare = 0;
        for (double v : x) {
            meanSquare += v * v;
        }
        meanSquare /= x.length;
        double inv = 1 / Math.sqrt(meanSquare + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * inv;
        }
        return y;
    }
}
