package dev.llmgraph.spec;

/**
 * A normalisation over the model dimension. Instances come from {@link #layer}, {@link #rms} and
 * {@link #simpleRms}.
 * <pre>
 *  LayerNorm       y = (x - mean) / sqrt(var + eps) * g + b      BERT, GPT-2, BLOOM, Falcon
 *  RMSNorm         y = x / sqrt(mean(x^2) + eps) * g             LLaMA, T5, ChatGLM2: no centring, no bias,
 *                                                                 fewer reductions than LayerNorm
 *  SimpleRMSNorm   y = x / sqrt(mean(x^2) + eps)                 TransNormerLLM's SRMSNorm: no weight at all
 * </pre>
 */
public sealed interface Norm {
    double eps();

    /** Parameters per normalised vector of width {@code d}. */
    long parametersPerNorm(int d);

    /** LayerNorm with weight and bias. */
    static LayerNorm layer(double eps) {
        return new LayerNorm(eps, true);
    }

    /** LayerNorm with weight and, if {@code bias}, a bias. */
    static LayerNorm layer(double eps, boolean bias) {
        return new LayerNorm(eps, bias);
    }

    static RmsNorm rms(double eps) {
        return new RmsNorm(eps);
    }

    static SimpleRmsNorm simpleRms(double eps) {
        return new SimpleRmsNorm(eps);
    }

    record LayerNorm(double eps, boolean bias) implements Norm {
        @Override
        public long parametersPerNorm(int d) {
            return bias ? 2L * d : d;
        }

        @Override
        public String toString() {
            return "LayerNorm(eps=" + eps + (bias ? "" : ", no bias") + ")";
        }
    }

    record RmsNorm(double eps) implements Norm {
        @Override
        public long parametersPerNorm(int d) {
            return d;
        }

        @Override
        public String toString() {
            return "RMSNorm(eps=" + eps + ")";
        }
    }

    record SimpleRmsNorm(double eps) implements Norm {
        @Override
        public long parametersPerNorm(int d) {
            return 0;
        }

        @Override
        public String toString() {
            return "SimpleRMSNorm(eps=" + eps + ")";
        }
    }
}
