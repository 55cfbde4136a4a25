package dev.llmgraph.spec;

/**
 * How a {@link Moe} turns a token into expert choices and weights: a matrix {@code W_r [experts, dModel]}
 * scores every expert, the {@code k} best are kept, and their weights scale the experts' outputs.
 * <pre>
 *  SOFTMAX        p = softmax(W_r x) over all experts, keep the top k of p          Mixtral, Qwen-MoE, OLMoE
 *  SIGMOID        p = sigmoid(W_r x) per expert, keep the top k of p                DeepSeek-V3
 *  TOP_K_SOFTMAX  keep the top k of W_r x, then softmax over those k only           (= SOFTMAX renormalised)
 *  then, optionally:  w = p / sum(p over the k)    (renormalise: Mixtral yes, Qwen1.5-MoE and OLMoE no)
 *                     w = w * scale                (DeepSeek's routed_scaling_factor; 1 elsewhere)
 * </pre>
 *
 * Group-limited routing (DeepSeek-V2's {@code n_group}, {@code topk_group}: first the best groups of experts,
 * then the top k inside them) is not a choice here: llama.cpp's graph ranks a group by the sum of its two best
 * scores, DeepSeek-V3's rule, not by its best one as DeepSeek-V2's checkpoint does, so no lowering would match both;
 * a GGUF file that asks for it ({@code expert_group_count > 1}) is refused in words, and the DeepSeek-V2 preset
 * routes over all experts (its Javadoc says so).
 *
 * @param scoring     how scores are made and in which order against top-k
 * @param renormalise whether the k kept weights are divided by their sum
 * @param scale       a factor on every routed weight (DeepSeek-V2: 16 for the 236B model, 1 for Lite)
 */
public record Router(Scoring scoring, boolean renormalise, double scale) {
    /** Where the router's non-linearity sits relative to top-k. */
    public enum Scoring { SOFTMAX, SIGMOID, TOP_K_SOFTMAX }

    /** Softmax over all experts, top-k, weights renormalised over the k (Mixtral). */
    public static Router softmaxRenormalised() {
        return new Router(Scoring.SOFTMAX, true, 1.0);
    }

    /** Softmax over all experts, top-k, weights as they are (Qwen1.5-MoE, OLMoE). */
    public static Router softmax() {
        return new Router(Scoring.SOFTMAX, false, 1.0);
    }

    /** Refuses a scale that is not a positive finite number, quoting it. */
    public Router withScale(double scale) {
        FieldRules.refuse(FieldRules.positive("moe.router.scale", scale, "1 is no scaling; DeepSeek-V2 uses 16"));
        return new Router(scoring, renormalise, scale);
    }

    public Router withRenormalise(boolean renormalise) {
        return new Router(scoring, renormalise, scale);
    }

    public Router withScoring(Scoring scoring) {
        return new Router(scoring, renormalise, scale);
    }

    @Override
    public String toString() {
        String name = switch (scoring) {
            case SOFTMAX -> "softmax, top-k";
            case SIGMOID -> "sigmoid, top-k";
            case TOP_K_SOFTMAX -> "top-k, softmax";
        };
        return name + (renormalise ? ", renormalised" : "") + (scale != 1.0 ? ", scaled by " + scale : "");
    }
}
