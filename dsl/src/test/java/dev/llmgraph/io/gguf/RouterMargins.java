package dev.llmgraph.io.gguf;

import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Router;

import java.util.Arrays;

/**
 * How far one token's routing is from a tie, in double precision from its router scores: the gap between the k-th
 * and (k+1)-th score among the experts that compete (all of them, or those of the kept groups), and with expert
 * groups the gap between the kept-th and the next group's score, as the log of their ratio for probabilities
 * (infinite without groups), and whether the groups changed which experts the token gets. Written from the
 * definition of the routing (softmax or sigmoid, groups scored by their best one or two experts), not from llmgraph's
 * lowering.
 */
record RouterMargins(double experts, double groups, boolean groupsChangeTheChoice) {
    static RouterMargins of(Router router, float[] scores, int k) {
        double[] p = probabilities(router, scores);
        boolean[] competes = new boolean[p.length];
        Arrays.fill(competes, true);
        double groupMargin = Double.POSITIVE_INFINITY;
        ExpertGroups g = router.groups();
        if (g.present()) {
            int perGroup = p.length / g.count();
            double[] groupScores = new double[g.count()];
            for (int group = 0; group < g.count(); group++) {
                double[] members = Arrays.copyOfRange(p, group * perGroup, (group + 1) * perGroup);
                Arrays.sort(members);
                for (int j = 0; j < g.ranking().expertsSummed(); j++) {
                    groupScores[group] += members[perGroup - 1 - j];
                }
            }
            double[] sorted = groupScores.clone();
            Arrays.sort(sorted); // ascending: the kept groups are the last g.kept()
            double keptAbove = sorted[g.count() - g.kept()];
            double next = sorted[g.count() - g.kept() - 1];
            // Probabilities are compared by ratio, as the scores they come from are by difference: a group scoring
            // 1e-4 is as well separated from one scoring 0.9e-4 as one of 0.5 from one of 0.45.
            groupMargin = router.scoring() == Router.Scoring.TOP_K_SOFTMAX ? keptAbove - next
                    : Math.log(keptAbove) - Math.log(next);
            for (int e = 0; e < p.length; e++) {
                competes[e] = groupScores[e / perGroup] >= keptAbove;
            }
        }
        double[] competing = java.util.stream.IntStream.range(0, scores.length).filter(e -> competes[e])
                .mapToDouble(e -> scores[e]).sorted().toArray();
        double expertMargin = competing.length > k ? competing[competing.length - k] - competing[competing.length - k - 1]
                : Double.POSITIVE_INFINITY;
        // Whether some expert among all k best would not compete: then the groups changed the token's experts.
        double kthOverall = java.util.stream.IntStream.range(0, scores.length).mapToDouble(e -> scores[e]).sorted()
                .toArray()[scores.length - k];
        boolean changed = java.util.stream.IntStream.range(0, scores.length)
                .anyMatch(e -> scores[e] >= kthOverall && !competes[e]);
        return new RouterMargins(expertMargin, groupMargin, changed);
    }

    private static double[] probabilities(Router router, float[] scores) {
        double[] s = new double[scores.length];
        Arrays.setAll(s, i -> scores[i]);
        return switch (router.scoring()) {
            case SOFTMAX -> {
                double max = Arrays.stream(s).max().orElseThrow();
                double[] e = Arrays.stream(s).map(v -> Math.exp(v - max)).toArray();
                double sum = Arrays.stream(e).sum();
                yield Arrays.stream(e).map(v -> v / sum).toArray();
            }
            case SIGMOID -> Arrays.stream(s).map(v -> 1 / (1 + Math.exp(-v))).toArray();
            case TOP_K_SOFTMAX -> s;
        };
    }
}
