package dev.llmgraph.spec;

/**
 * Group-limited routing (DeepSeek's {@code n_group}, {@code topk_group}): the routed experts are split into
 * {@code count} equal groups (in DeepSeek-V2, the experts of one device each), each token first keeps the
 * {@code kept} groups that rank best, and its top k experts are then chosen only inside them, so that a token's
 * experts sit on at most {@code kept} devices.
 * <pre>
 *  scores [experts] = [ g0: e0 e1 | g1: e2 e3 | g2: e4 e5 | g3: e6 e7 ]      count 4 groups of 2, kept 2
 *  group score        BEST_EXPERT: max of the group         (DeepSeek-V2's group_limited_greedy)
 *                     TWO_BEST_EXPERTS: sum of its best two (DeepSeek-V3's rule, and llama.cpp's for every file)
 *  keep the 2 best groups, set every other expert's score to -infinity, then top-k as usual
 * </pre>
 * The weights of the chosen experts are their unmasked scores, so the groups decide only which experts run.
 *
 * @param count   groups the experts are split into (1: no grouping)
 * @param kept    groups each token keeps
 * @param ranking how a group's score is made from its experts' scores
 */
public record ExpertGroups(int count, int kept, Ranking ranking) {
    /** How a group is scored from its experts' scores (after the router's softmax or sigmoid). */
    public enum Ranking {
        /** The group's best expert score: DeepSeek-V2 ({@code topk_method = "group_limited_greedy"}). */
        BEST_EXPERT(1),
        /** The sum of the group's two best expert scores: DeepSeek-V3, and what llama.cpp computes for any file. */
        TWO_BEST_EXPERTS(2);

        private final int summed;

        Ranking(int summed) {
            this.summed = summed;
        }

        /** How many of a group's best scores are added to make its score. */
        public int expertsSummed() {
            return summed;
        }
    }

    /** No grouping: top-k over all experts (Mixtral, Qwen-MoE, OLMoE, DeepSeek-V2-Lite). */
    public static ExpertGroups none() {
        return new ExpertGroups(1, 1, Ranking.TWO_BEST_EXPERTS);
    }

    /**
     * {@code count} groups of which each token keeps {@code kept}, ranked by their two best experts (llama.cpp's
     * rule). Refuses counts below 1 and {@code kept} above {@code count}; whether the groups divide the experts is
     * checked by {@code build()}.
     */
    public static ExpertGroups of(int count, int kept) {
        FieldRules.refuse(FieldRules.count("moe.router.groups.count", count));
        FieldRules.refuse(FieldRules.count("moe.router.groups.kept", kept));
        FieldRules.refuse(ExpertGroupRules.keptAtMostCount(count, kept));
        return new ExpertGroups(count, kept, Ranking.TWO_BEST_EXPERTS);
    }

    public ExpertGroups withRanking(Ranking ranking) {
        return new ExpertGroups(count, kept, ranking);
    }

    /** Whether experts are grouped at all (more than one group). */
    public boolean present() {
        return count > 1;
    }

    @Override
    public String toString() {
        if (!present()) {
            return "no groups";
        }
        return "best " + kept + " of " + count + " groups by " + switch (ranking) {
            case BEST_EXPERT -> "their best expert";
            case TWO_BEST_EXPERTS -> "their two best experts";
        };
    }
}
