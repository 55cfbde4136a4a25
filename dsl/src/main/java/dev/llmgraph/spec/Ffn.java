package dev.llmgraph.spec;

/**
 * The position-wise feed-forward network: the dense {@link ChannelMixer}.
 * <pre>
 *  plain  y = W_down( act(W_up x + b) ) + b                       2 matrices: d x f, f x d
 *  gated  y = W_down( act(W_gate x) * (W_up x) )                   3 matrices: the GLU family
 *         SwiGLU (act = SiLU), GeGLU (GELU), ReGLU (ReLU), bilinear (no activation)
 * </pre>
 * A gated FFN of width f has 3df weights against 2df for a plain one, so LLaMA picks
 * f = 2/3 * 4d (rounded up to a multiple of 256) to keep the parameter count of a 4d plain FFN.
 *
 * @param activation the non-linearity (applied to the gate when gated)
 * @param gated      whether this is a gated linear unit
 * @param width      the hidden width f
 * @param bias       whether the projections have biases
 */
public record Ffn(Activation activation, boolean gated, int width, boolean bias) implements ChannelMixer {
    /** A plain two-matrix MLP with biases (GPT-2, BLOOM). */
    public static Ffn mlp(int width, Activation activation) {
        return new Ffn(activation, false, width, true);
    }

    public static Ffn swiglu(int width) {
        return new Ffn(Activation.SILU, true, width, false);
    }

    /** GeGLU with the tanh approximation of GELU (Gemma). */
    public static Ffn geglu(int width) {
        return new Ffn(Activation.GELU_TANH, true, width, false);
    }

    public static Ffn reglu(int width) {
        return new Ffn(Activation.RELU, true, width, false);
    }

    /** The GLU without a non-linearity: (W_gate x) * (W_up x). */
    public static Ffn bilinear(int width) {
        return new Ffn(Activation.IDENTITY, true, width, false);
    }

    public Ffn withBias(boolean bias) {
        return new Ffn(activation, gated, width, bias);
    }

    public Ffn withWidth(int width) {
        return new Ffn(activation, gated, width, bias);
    }

    public Ffn withActivation(Activation activation) {
        return new Ffn(activation, gated, width, bias);
    }

    /** Weights and biases of one FFN in a model of width {@code dModel}. */
    public long parameters(int dModel) {
        int matrices = gated ? 3 : 2;
        long weights = (long) matrices * dModel * width;
        long biases = bias ? (long) (gated ? 2 : 1) * width + dModel : 0;
        return weights + biases;
    }

    /** The name the literature uses: SwiGLU, GeGLU, ReGLU, bilinear, or e.g. GELU MLP. */
    public String displayName() {
        if (gated) {
            return switch (activation) {
                case SILU -> "SwiGLU";
                case GELU, GELU_TANH -> "GeGLU";
                case RELU -> "ReGLU";
                case IDENTITY -> "bilinear GLU";
            };
        }
        return activation + " MLP";
    }

    @Override
    public String toString() {
        return displayName() + "(width=" + width + (bias ? ", bias" : "") + ")";
    }
}
