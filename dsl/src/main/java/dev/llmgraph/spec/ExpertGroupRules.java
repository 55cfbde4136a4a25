package dev.llmgraph.spec;

import java.util.List;
import java.util.Optional;

/**
 * The rules of {@link ExpertGroups} inside a {@link Moe}: the counts themselves (again here, for a record made with
 * its constructor), and what they must be against the experts: equal groups, enough experts in the kept groups for
 * the top k, and two experts per group to sum when a group is ranked by its two best.
 */
final class ExpertGroupRules {
    private ExpertGroupRules() {}

    static Optional<SpecProblem> keptAtMostCount(int count, int kept) {
        if (kept <= count) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("moe.router.groups.kept", kept, "must be at most count = " + count
                + ": a token cannot keep more groups than there are", "DeepSeek-V2 keeps 3 of 8 groups"));
    }

    static void check(Moe m, List<SpecProblem> problems) {
        ExpertGroups g = m.router().groups();
        if (g == null) {
            problems.add(new SpecProblem("moe.router.groups", null, "must be set", "ExpertGroups.none() is the "
                    + "explicit choice of routing over all experts"));
            return;
        }
        Optional<SpecProblem> count = FieldRules.count("moe.router.groups.count", g.count());
        Optional<SpecProblem> kept = FieldRules.count("moe.router.groups.kept", g.kept())
                .or(() -> keptAtMostCount(g.count(), g.kept()));
        count.ifPresent(problems::add);
        kept.ifPresent(problems::add);
        if (g.ranking() == null) {
            problems.add(new SpecProblem("moe.router.groups.ranking", null, "must be set", "TWO_BEST_EXPERTS is "
                    + "llama.cpp's rule, BEST_EXPERT DeepSeek-V2's"));
        }
        if (count.isPresent() || kept.isPresent() || !g.present() || m.experts() < 1) {
            return;
        }
        if (m.experts() % g.count() != 0) {
            problems.add(new SpecProblem("moe.router.groups.count", g.count(), "must divide experts = " + m.experts()
                    + ": the experts are split into equal groups", "DeepSeek-V2 splits 160 experts into 8 groups of 20"));
            return;
        }
        int perGroup = m.experts() / g.count();
        if (m.expertsPerToken() > g.kept() * perGroup) {
            problems.add(new SpecProblem("moe.expertsPerToken", m.expertsPerToken(), "must be at most the "
                    + g.kept() * perGroup + " experts of the kept groups (" + g.kept() + " x " + perGroup + ")",
                    "keep more groups, or route to fewer experts"));
        }
        if (g.ranking() == ExpertGroups.Ranking.TWO_BEST_EXPERTS && perGroup < 2) {
            problems.add(new SpecProblem("moe.router.groups.count", g.count(), "leaves " + perGroup + " expert per "
                    + "group, and a group ranked by its two best experts needs at least 2", "use fewer groups, or "
                    + "rank groups by their best expert (DeepSeek-V2's rule)"));
        }
    }
}
