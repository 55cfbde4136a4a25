package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.WeightLayout.Weight;

import java.util.ArrayList;
import java.util.List;

/** Walks over lists of steps. */
public final class Steps {
    private Steps() {}

    /** The named nodes of {@code steps}, in execution order. */
    public static List<Node> nodes(List<? extends Step> steps) {
        List<Node> out = new ArrayList<>();
        for (Step step : steps) {
            out.addAll(step.nodes());
        }
        return List.copyOf(out);
    }

    /** The weights {@code steps} read, in execution order. */
    public static List<Weight> weights(List<? extends Step> steps) {
        List<Weight> out = new ArrayList<>();
        for (Step step : steps) {
            out.addAll(step.weights());
        }
        return List.copyOf(out);
    }

    /**
     * The steps that do not contain other steps (embeddings, norms, mixers, heads), in execution order:
     * residuals and parallel groups are opened.
     */
    public static List<Step> leaves(List<? extends Step> steps) {
        List<Step> out = new ArrayList<>();
        for (Step step : steps) {
            switch (step) {
                case Step.Residual r -> r.branches().forEach(b -> out.addAll(leaves(b)));
                case Step.Parallel p -> p.branches().forEach(b -> out.addAll(leaves(b)));
                case Step.Embed _, Step.Normalize _, Step.Mix _, Step.Channel _,
                     Step.Head _, Step.Pool _, Step.MaskedLm _ -> out.add(step);
            }
        }
        return out;
    }
}
