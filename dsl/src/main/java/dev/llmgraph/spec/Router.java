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
 * With {@link ExpertGroups} (DeepSeek's {@code n_group}, {@code topk_group}) the top k are chosen only among the
 * experts of the groups each token keeps; the weights are still the unmasked scores.
 *
 * @param scoring     how scores are made and in which order against top-k
 * @param renormalise whether the k kept weights are divided by their sum
 * @param scale       a factor on every routed weight (DeepSeek-V2: 16 for the 236B model, 1 for Lite)
 * @param groups      group-limited routing, or {@link ExpertGroups#none()}
 */
public record Router(Scoring scoring, boolean renormalise, double scale, ExpertGroups groups) {
    /** Where the router's non-linearity sits relative to top-k. */
    public enum Scoring { SOFTMAX, SIGMOID, TOP_K_SOFTMAX }

    /** A router over all experts (no groups). */
    public Router(Scoring scoring, boolean renormalise, double scale) {
        this(scoring, renormalise, scale, ExpertGroups.none());
    }

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
        return new Router(scoring, renormalise, scale, groups);
    }

    public Router withRenormalise(boolean renormalise) {
        return new Router(scoring, renormalise, scale, groups);
    }

    public Router withScoring(Scoring scoring) {
        return new Router(scoring, renormalise, scale, groups);
    }

    /** Group-limited routing: e.g. {@code withGroups(ExpertGroups.of(8, 3))}; checked against the experts by build(). */
    public Router withGroups(ExpertGroups groups) {
        return new Router(scoring, renormalise, scale, groups);
    }

    @Override
    public String toString() {
        String name = switch (scoring) {
            case SOFTMAX -> "softmax, top-k";
            case SIGMOID -> "sigmoid, top-k";
            case TOP_K_SOFTMAX -> "top-k, softmax";
        };
        return name + (renormalise ? ", renormalised" : "") + (scale != 1.0 ? ", scaled by " + scale : "")
                + (groups != null && groups.present() ? ", " + groups : "");
    }
}
