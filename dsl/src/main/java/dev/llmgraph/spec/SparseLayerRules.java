package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of a mixture of experts' {@link Moe#sparseLayers()}: a period of at least 1, an offset inside it, and at
 * least one layer of the stack that routes (a pattern that picks none is a dense model written the long way).
 */
final class SparseLayerRules {
    private SparseLayerRules() {}

    static Optional<SpecProblem> offset(LayerPeriod p) {
        if (p.every() < 1 || (p.offset() >= 0 && p.offset() < p.every())) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("moe.sparseLayers.offset", p.offset(), "must lie in 0 .. "
                + (p.every() - 1) + ": the routing layer's index within each period of " + p.every(),
                "Jamba routes every other layer from layer 1: .withSparseEvery(2, 1)"));
    }

    static List<SpecProblem> check(Moe m, int layers) {
        List<SpecProblem> problems = new ArrayList<>();
        LayerPeriod p = m.sparseLayers();
        if (p == null) {
            problems.add(new SpecProblem("moe.sparseLayers", null, "must be set", "LayerPeriod.everyLayer() routes "
                    + "every layer"));
            return problems;
        }
        FieldRules.count("moe.sparseLayers.every", p.every()).ifPresent(problems::add);
        offset(p).ifPresent(problems::add);
        if (problems.isEmpty() && layers >= 1 && m.denseLayers() >= 0 && m.denseLayers() < layers) {
            boolean routes = false;
            for (int layer = 0; layer < layers && !routes; layer++) {
                routes = m.sparse(layer);
            }
            if (!routes) {
                problems.add(new SpecProblem("moe.sparseLayers", p, "picks none of the " + layers + " layers"
                        + (m.denseLayers() > 0 ? " after the " + m.denseLayers() + " dense ones" : "")
                        + ", so no layer would route", "use a smaller offset or more layers; drop .moe(...) for a "
                        + "dense model"));
            }
        }
        return problems;
    }
}
