package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Model;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When only the last token's logits are wanted, the last block runs everything after attention for that
 * token alone. The logits must be those of the full forward pass, for every placement and the parallel
 * block. Tolerance: float32 rounding (the same ops on fewer columns; matmul kernels may sum in another
 * order for one column than for many).
 */
class LastTokenTrimTest {
    private static final double TOLERANCE = 1e-5;
    private static final int[] PROMPT = {5, 17, 99, 3, 250, 8, 42, 77, 1, 130, 64};

    static Stream<Arguments> blocks() {
        ModelSpec base = Presets.tiny(Presets.llama2_7b());
        return Stream.of(
                Arguments.of("PRE", base),
                Arguments.of("POST", base.withNorm(Norm.layer(1e-5), NormPlacement.POST)),
                Arguments.of("SANDWICH", base.withPlacement(NormPlacement.SANDWICH)),
                Arguments.of("DEEPNORM", base.withNorm(Norm.layer(1e-5), NormPlacement.DEEPNORM)),
                Arguments.of("parallel PRE", base.withParallelBlock(true)),
                Arguments.of("parallel POST", base.withPlacement(NormPlacement.POST).withParallelBlock(true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void lastTokenLogitsEqualTheFullForward(String name, ModelSpec spec) {
        try (Model model = Model.random(spec, WeightInit.lecun(11), ModelOptions.cpu().withThreads(1));
             Session session = model.session()) {
            float[] full = model.forward(PROMPT).last();
            float[] trimmed = session.feed(PROMPT);
            double scale = 0, diff = 0;
            for (int i = 0; i < full.length; i++) {
                scale = Math.max(scale, Math.abs(full[i]));
                diff = Math.max(diff, Math.abs(full[i] - trimmed[i]));
            }
            assertTrue(diff <= TOLERANCE * scale, name + ": max difference " + diff + " against logits up to " + scale);
        }
    }
}
