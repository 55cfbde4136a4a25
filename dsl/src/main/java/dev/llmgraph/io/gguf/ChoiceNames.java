package dev.llmgraph.io.gguf;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;

/** How a misfit ({@link Misfits}) names a spec's choice: "SwiGLU", "QK-norm per head", "RoPE". */
final class ChoiceNames {
    private ChoiceNames() {}

    /** "SwiGLU", "GeGLU with exact GELU", "a tanh-GELU MLP", ... */
    static String describe(Activation activation, boolean gated) {
        String gelu = activation == Activation.GELU ? "exact GELU" : "tanh-approximated GELU";
        if (gated) {
            return switch (activation) {
                case SILU -> "SwiGLU";
                case GELU, GELU_TANH -> "GeGLU with " + gelu;
                case RELU -> "ReGLU";
                case IDENTITY -> "a bilinear GLU";
            };
        }
        return switch (activation) {
            case GELU, GELU_TANH -> "an MLP with " + gelu;
            case RELU -> "a ReLU MLP";
            case SILU -> "a SiLU MLP";
            case IDENTITY -> "a linear MLP";
        };
    }

    static String describe(QkNorm qkNorm) {
        return switch (qkNorm) {
            case NONE -> "no QK-norm";
            case PER_HEAD -> "QK-norm per head";
            case WHOLE_WIDTH -> "QK-norm over whole q and k projections";
        };
    }

    /** "RoPE", "ALiBi", "learned positions", ... */
    static String describe(Positional positional) {
        return switch (positional) {
            case Positional.Rope rope -> "RoPE";
            case Positional.Alibi alibi -> "ALiBi";
            case Positional.Learned learned -> "learned positions";
            case Positional.Sinusoidal sinusoidal -> "sinusoidal positions";
            case Positional.T5Bias t5 -> "T5 bias";
            case Positional.None none -> "NoPE";
        };
    }
}
