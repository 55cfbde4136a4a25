package dev.llmgraph.reference;

import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group-limited routing against the double-precision reference ({@link ReferenceExperts}, written from the
 * definition): the whole forward pass of small models whose experts are grouped, ranked by the two best experts
 * (llama.cpp's rule) and by the best one (DeepSeek-V2's), with softmax and sigmoid scores; logits within
 * {@link Tolerances#logits} (float32 rounding: 2e-5 of their rms); the same weights routed over all experts must
 * be a hundred times further away, so that each case tests the groups.
 */
class ReferenceExpertGroupsTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("softmax top-2 of 12, best 1 of 4 groups by their two best",
                        Moe.of(12, 2, Ffn.swiglu(16)).withRouter(Router.softmax().withGroups(ExpertGroups.of(4, 1)))),
                Arguments.of("sigmoid top-2 of 8, renormalised, best 1 of 4 groups by their best",
                        Moe.of(8, 2, Ffn.swiglu(16)).withRouter(new Router(Router.Scoring.SIGMOID, true, 1.0)
                                .withGroups(ExpertGroups.of(4, 1).withRanking(ExpertGroups.Ranking.BEST_EXPERT)))),
                Arguments.of("softmax top-3 of 12, scaled, best 1 of 3 groups by their best",
                        Moe.of(12, 3, Ffn.swiglu(16)).withRouter(Router.softmax().withScale(2).withGroups(
                                ExpertGroups.of(3, 1).withRanking(ExpertGroups.Ranking.BEST_EXPERT)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsMatchTheReference(String label, Moe moe) {
        ModelSpec spec = Transformer.causalDecoder("groups").vocabSize(64).dModel(32).layers(2).contextLength(32)
                .attention(Attention.grouped(4, 2)).positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE).moe(moe).build();
        int[] tokens = new SplittableRandom(label.hashCode()).ints(ReferenceForwardTest.TOKENS, 0, 64).toArray();
        double[][] expected;
        try (Model model = Model.random(spec, WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            Logits actual = model.forward(tokens, 0);
            expected = ReferenceForward.of(model).run(tokens, 0).logits();
            double error = Tolerances.relativeError(actual, expected);
            assertTrue(error <= Tolerances.logits(spec), "logits differ from the reference by " + error
                    + " of their scale, more than " + Tolerances.logits(spec));
        }
        // The same weights routed over all experts must differ by far more, or the groups went untested.
        ModelSpec ungrouped = spec.withMoe(moe.withRouter(moe.router().withGroups(ExpertGroups.none())));
        try (Model model = Model.random(ungrouped, WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            double apart = Tolerances.relativeError(model.forward(tokens, 0), expected);
            assertTrue(apart > 100 * Tolerances.logits(spec), "without the groups the logits differ by only " + apart);
        }
    }
}
