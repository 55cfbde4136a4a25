package dev.llmgraph.spec;

/**
 * Element-wise non-linearities of the FFN.
 * <pre>
 *  RELU       max(0, x)                                   the original Transformer, OPT
 *  GELU       x * Phi(x), exact (erf)                     BERT, HF "gelu"
 *  GELU_TANH  0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))) GPT-2, BLOOM, Gemma ("gelu_new", "gelu_pytorch_tanh")
 *  SILU       x * sigmoid(x), also called Swish           LLaMA (inside SwiGLU)
 *  IDENTITY   x                                           the "bilinear" GLU variant
 * </pre>
 */
public enum Activation {
    RELU, GELU, GELU_TANH, SILU, IDENTITY;

    /** The activation in double precision (for references and plots). */
    public double apply(double x) {
        return switch (this) {
            case RELU -> Math.max(0, x);
            case GELU -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1 + Math.exp(-x));
            case IDENTITY -> x;
        };
    }
}
