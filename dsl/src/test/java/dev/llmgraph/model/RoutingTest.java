package dev.llmgraph.model;

import dev.llmgraph.display.Heatmap;
import dev.llmgraph.display.Heatmaps;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router's choices read back per token and layer ({@link Routing}) against the same choices computed here in
 * double precision from the model's router matrix and the normalised input the router reads ({@code ffn_norm.L}):
 * ids equal wherever the k-th and (k+1)-th scores are more than 1e-4 apart (a closer pair may swap in float32 and is
 * skipped, counted), weights within 1e-5. With expert groups, only the experts of the best groups compete (a token
 * whose kept-th and next group scores are within 1e-5 is skipped too), and some token must then choose differently
 * from the ungrouped top k, or the groups would not have been tested.
 */
class RoutingTest {
    static final int TOKENS = 12;

    private static ModelBuilder small(String name) {
        return Transformer.causalDecoder(name).vocabSize(64).dModel(32).layers(3).contextLength(32)
                .attention(Attention.grouped(4, 2)).ffn(Ffn.swiglu(64));
    }

    static Stream<Arguments> routers() {
        return Stream.of(
                Arguments.of("softmax top-2 of 8, renormalised (Mixtral)", small("mixtral-like")
                        .moe(Moe.of(8, 2, Ffn.swiglu(16))).build()),
                Arguments.of("softmax top-3 of 8, scaled 2.5, shared, dense first (DeepSeek)", small("deepseek-like")
                        .moe(Moe.of(8, 3, Ffn.swiglu(16)).withRouter(Router.softmax().withScale(2.5))
                                .withShared(SharedExperts.of(2, 16)).withDenseLayers(1)).build()),
                Arguments.of("top-2 then softmax", small("topk-softmax")
                        .moe(Moe.of(6, 2, Ffn.swiglu(16)).withRouter(new Router(Router.Scoring.TOP_K_SOFTMAX, false,
                                1.0))).build()),
                Arguments.of("sigmoid top-2, renormalised", small("sigmoid")
                        .moe(Moe.of(6, 2, Ffn.swiglu(16)).withRouter(new Router(Router.Scoring.SIGMOID, true, 1.0)))
                        .build()),
                Arguments.of("softmax top-2 of 8 in the best 2 of 4 groups by their two best (llama.cpp)",
                        small("groups-by-two").moe(Moe.of(8, 2, Ffn.swiglu(16))
                                .withRouter(Router.softmax().withGroups(ExpertGroups.of(4, 2)))).build()),
                Arguments.of("softmax top-3 of 12 in the best 2 of 6 groups by their best (DeepSeek-V2)",
                        small("groups-by-one").moe(Moe.of(12, 3, Ffn.swiglu(16)).withRouter(Router.softmax()
                                .withScale(2.0).withGroups(ExpertGroups.of(6, 2)
                                        .withRanking(ExpertGroups.Ranking.BEST_EXPERT)))).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routers")
    void choicesAndWeightsEqualAReferenceRouter(String name, ModelSpec spec) {
        int[] tokens = IntStream.range(0, TOKENS).map(i -> (i * 7 + 3) % spec.vocabSize()).toArray();
        try (Model model = Model.random(spec, WeightInit.lecun(11), InspectionTest.CPU)) {
            Routing routing = model.routing(tokens);
            Moe moe = spec.moe();
            int k = moe.expertsPerToken(), experts = moe.experts(), d = spec.dModel();
            int compared = 0, changedByGroups = 0;
            for (int layer : routing.layers()) {
                float[] x = model.inspect(tokens, "ffn_norm." + layer).node("ffn_norm." + layer).values();
                float[] router = model.weight("blk." + layer + ".ffn_gate_inp.weight"); // [experts][d]
                for (int t = 0; t < TOKENS; t++) {
                    double[] scores = new double[experts];
                    for (int e = 0; e < experts; e++) {
                        for (int i = 0; i < d; i++) {
                            scores[e] += (double) router[e * d + i] * x[t * d + i];
                        }
                    }
                    double[] probs = probabilities(moe.router(), scores);
                    ExpertGroups groups = moe.router().groups();
                    double[] groupScores = groupScores(groups, probs);
                    double[] rankedGroups = Arrays.stream(groupScores).map(v -> -v).sorted().toArray();
                    if (groups.present() && rankedGroups[groups.kept()] - rankedGroups[groups.kept() - 1] < 1e-5) {
                        continue;
                    }
                    double keptAbove = groups.present() ? -rankedGroups[groups.kept() - 1] : Double.NEGATIVE_INFINITY;
                    Integer[] order = IntStream.range(0, experts).boxed().toArray(Integer[]::new);
                    // Experts of groups not kept come after every competing one.
                    Arrays.sort(order, Comparator.comparing((Integer e) -> groupScores[e * groupScores.length
                            / experts] < keptAbove).thenComparingDouble(e -> -probs[e]));
                    double margin = Math.abs(scores[order[k - 1]] - scores[order[k]]);
                    if (margin < 1e-4 && groupScores[order[k] * groupScores.length / experts] >= keptAbove) {
                        continue;
                    }
                    compared++;
                    int[] expectedIds = Arrays.stream(order).limit(k).mapToInt(Integer::intValue).toArray();
                    int[] ungrouped = IntStream.range(0, experts).boxed().sorted(Comparator.comparingDouble(e ->
                            -probs[e])).limit(k).mapToInt(Integer::intValue).toArray();
                    changedByGroups += Arrays.equals(expectedIds, ungrouped) ? 0 : 1;
                    assertArrayEquals(expectedIds, routing.experts(layer, t), "layer " + layer + " token " + t);
                    double[] expected = weights(moe.router(), probs, scores, expectedIds);
                    float[] actual = routing.weights(layer, t);
                    for (int j = 0; j < k; j++) {
                        assertEquals(expected[j], actual[j], 1e-5, "layer " + layer + " token " + t + " slot " + j);
                    }
                }
                assertEquals(TOKENS * k, Arrays.stream(routing.load(layer)).sum(), "load of layer " + layer);
            }
            assertTrue(compared >= routing.layers().length * TOKENS - 2,
                    "only " + compared + " tokens had clear choices; pick another seed");
            if (moe.router().groups().present()) {
                assertTrue(changedByGroups > 0, "no token chose differently because of the groups; pick another seed");
            }
        }
    }

    private static double[] probabilities(Router router, double[] scores) {
        return switch (router.scoring()) {
            case SOFTMAX -> softmax(scores);
            case SIGMOID -> Arrays.stream(scores).map(s -> 1 / (1 + Math.exp(-s))).toArray();
            case TOP_K_SOFTMAX -> scores.clone();
        };
    }

    /** Each group's score: the sum of its best one or two probabilities (one group of all experts without groups). */
    private static double[] groupScores(ExpertGroups groups, double[] probs) {
        int count = groups.present() ? groups.count() : 1, perGroup = probs.length / count;
        double[] out = new double[count];
        for (int g = 0; g < count; g++) {
            double[] members = Arrays.copyOfRange(probs, g * perGroup, (g + 1) * perGroup);
            Arrays.sort(members);
            for (int j = 0; j < Math.min(perGroup, groups.ranking().expertsSummed()); j++) {
                out[g] += members[perGroup - 1 - j];
            }
        }
        return out;
    }

    private static double[] weights(Router router, double[] probs, double[] scores, int[] ids) {
        double[] w = Arrays.stream(ids).mapToDouble(e -> probs[e]).toArray();
        if (router.scoring() == Router.Scoring.TOP_K_SOFTMAX) {
            w = softmax(Arrays.stream(ids).mapToDouble(e -> scores[e]).toArray());
        }
        if (router.renormalise()) {
            double sum = Arrays.stream(w).sum();
            w = Arrays.stream(w).map(v -> v / sum).toArray();
        }
        return Arrays.stream(w).map(v -> v * router.scale()).toArray();
    }

    private static double[] softmax(double[] v) {
        double max = Arrays.stream(v).max().orElseThrow();
        double[] e = Arrays.stream(v).map(x -> Math.exp(x - max)).toArray();
        double sum = Arrays.stream(e).sum();
        return Arrays.stream(e).map(x -> x / sum).toArray();
    }

    @Test
    void theLoadHeatmapHasARowPerSparseLayerAndRowsSummingToK() {
        ModelSpec spec = small("load").moe(Moe.of(8, 2, Ffn.swiglu(16)).withDenseLayers(1)).build();
        int[] tokens = IntStream.range(0, TOKENS).toArray();
        try (Model model = Model.random(spec, WeightInit.lecun(3), InspectionTest.CPU)) {
            Routing routing = model.routing(tokens);
            assertArrayEquals(new int[] {1, 2}, routing.layers());
            Heatmap load = Heatmaps.expertLoad(routing);
            assertEquals(2, load.rowCount());
            assertEquals(8, load.columnCount());
            for (int row = 0; row < 2; row++) {
                double sum = 0;
                for (int e = 0; e < 8; e++) {
                    sum += load.value(row, e);
                    assertEquals(routing.load(routing.layers()[row])[e] / (double) TOKENS, load.value(row, e), 1e-12);
                }
                assertEquals(2.0, sum, 1e-12, "each token counts once per chosen expert");
            }
            Heatmap weights = Heatmaps.routingWeights(routing, 2);
            assertEquals(TOKENS, weights.rowCount());
            var e = assertThrows(IllegalArgumentException.class, () -> routing.experts(0, 0));
            assertEquals("layer 0 does not route: the sparse layers of load are [1, 2]", e.getMessage());
        }
    }

    /**
     * Two inspections of one node each, in graphs of equal size: ggml would reuse the first graph's allocation,
     * in which the second node was not an output (its memory overwritten: the bug this guards against). Each read
     * must equal the same node read in a graph that keeps every layer's probabilities.
     */
    @Test
    void inspectingOneLayerAfterAnotherReadsEachLayersOwnValues() {
        ModelSpec spec = small("one-after-another").moe(Moe.of(8, 2, Ffn.swiglu(16))).build();
        int[] tokens = IntStream.range(0, TOKENS).toArray();
        try (Model model = Model.random(spec, WeightInit.lecun(5), InspectionTest.CPU)) {
            Model.Inspection all = model.inspect(tokens, "ffn_moe_probs.0", "ffn_moe_probs.1", "ffn_moe_probs.2");
            for (int layer = 0; layer < 3; layer++) {
                String name = "ffn_moe_probs." + layer;
                assertArrayEquals(all.node(name).values(), model.inspect(tokens, name).node(name).values(), 0f, name);
            }
        }
    }

    @Test
    void aDenseModelHasNoRoutingToRead() {
        ModelSpec spec = small("dense").build();
        try (Model model = Model.random(spec, WeightInit.lecun(3), InspectionTest.CPU)) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.routing(new int[] {1, 2}));
            assertEquals("dense has no mixture of experts, so nothing routes; declare one with "
                    + ".moe(Moe.of(experts, k, Ffn.swiglu(width)))", e.getMessage());
            NodeValue norm = model.inspect(new int[] {1, 2}, "attn_norm.0").node("attn_norm.0");
            var notIds = assertThrows(IllegalStateException.class, norm::ints);
            assertTrue(notIds.getMessage().startsWith("attn_norm.0 holds "), notIds.getMessage());
            assertTrue(notIds.getMessage().endsWith(", not a whole number: ints() is for id nodes such as "
                    + "ffn_moe_topk.0; use values()"), notIds.getMessage());
        }
    }
}
