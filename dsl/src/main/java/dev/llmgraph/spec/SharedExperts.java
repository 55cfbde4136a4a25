package dev.llmgraph.spec;

/**
 * Experts every token passes through, beside the routed ones (DeepSeek-V2, Qwen-MoE): they learn what all
 * tokens need, so that routed experts can specialise. {@code count} shared experts of width {@code width}
 * are one FFN of width {@code count x width} (the sum of FFNs with separate hidden units is one wider FFN),
 * which is how llama.cpp stores them ({@code ffn_*_shexp}); they have the routed experts' kind.
 * <pre>
 *  y = sum over the k chosen experts of w_e * FFN_e(x)  +  g(x) * FFN_shared(x)
 *      g(x) = sigmoid(v . x) with sigmoidGate (Qwen-MoE), else 1 (DeepSeek)
 * </pre>
 *
 * @param count       shared experts (0: none)
 * @param width       the hidden width of each
 * @param sigmoidGate whether a learned vector v gates the shared output per token
 */
public record SharedExperts(int count, int width, boolean sigmoidGate) {
    /** No shared experts (Mixtral, OLMoE). */
    public static SharedExperts none() {
        return new SharedExperts(0, 0, false);
    }

    /** {@code count} always-on experts of {@code width}, added as they are (DeepSeek). Refuses counts below 1. */
    public static SharedExperts of(int count, int width) {
        FieldRules.refuse(FieldRules.count("moe.shared.count", count));
        FieldRules.refuse(FieldRules.count("moe.shared.width", width));
        return new SharedExperts(count, width, false);
    }

    /** Qwen-MoE's form: the shared output times sigmoid(v . x). */
    public SharedExperts withSigmoidGate(boolean sigmoidGate) {
        return new SharedExperts(count, width, sigmoidGate);
    }

    /** Hidden units of all shared experts together: the width of the one FFN they are. */
    public int totalWidth() {
        return count * width;
    }

    public boolean present() {
        return count > 0;
    }

    @Override
    public String toString() {
        return present() ? count + " x " + width + (sigmoidGate ? ", sigmoid-gated" : "") : "none";
    }
}
