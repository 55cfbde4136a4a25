package dev.llmgraph.io.hf;

import dev.llmgraph.spec.Activation;

/**
 * Activation names of HF's {@code ACT2FN} table that llmgraph runs. "gelu_new" and "gelu_pytorch_tanh" are
 * the same tanh approximation of GELU (GPT-2 writes the first, newer models the second); "swish" is
 * HF's other name for SiLU.
 */
final class HfActivation {
    private HfActivation() {}

    static Activation read(ConfigFields f, String field, String fallback) {
        String name = f.text(field, fallback);
        return switch (name) {
            case "silu", "swish" -> Activation.SILU;
            case "gelu" -> Activation.GELU;
            case "gelu_new", "gelu_pytorch_tanh" -> Activation.GELU_TANH;
            case "relu" -> Activation.RELU;
            default -> throw f.error(field, "field '" + f.qualified(field) + "' = \"" + name + "\" has no llmgraph "
                    + "activation; llmgraph reads silu, swish, gelu, gelu_new, gelu_pytorch_tanh and relu");
        };
    }

    /** The name to write for {@code type}, or null when HF has none (the bilinear GLU's identity). */
    static String write(Activation activation, HfModelType type) {
        return switch (activation) {
            case SILU -> "silu";
            case GELU -> "gelu";
            case GELU_TANH -> type == HfModelType.GPT2 ? "gelu_new" : "gelu_pytorch_tanh";
            case RELU -> "relu";
            case IDENTITY -> null;
        };
    }
}
