package dev.llmgraph.experiment;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decode cost against context: memory as the formulas say, a point per context, bad contexts named. */
class DecodeScalingTest {
    private static final ModelOptions F16_CACHE = ModelOptions.cpu().withThreads(1).withCacheType(GgmlType.F16);

    @Test
    void softmaxAttentionKeepsTwoVectorsPerTokenAndLayer() {
        ModelSpec spec = Presets.byName("tiny-llama-2-7b"); // 2 layers, 4 K/V heads of 8, context 128
        try (Model model = Model.random(spec, WeightInit.lecun(1), F16_CACHE)) {
            List<DecodeScaling.Point> points = DecodeScaling.measure(model, new int[] {16, 64, 120}, 4);
            assertEquals(List.of(16, 64, 120), points.stream().map(DecodeScaling.Point::context).toList());
            for (DecodeScaling.Point p : points) {
                // K and V, 2 layers, 4 heads x 8 dimensions, 2 bytes (F16), per token held
                assertEquals(2L * 2 * 4 * 8 * 2 * p.context(), p.memoryBytes(), p.toString());
                assertTrue(p.msPerToken() > 0, p.toString());
            }
        }
    }

    @Test
    void aStateSpaceModelKeepsTheSameStateAtEveryContext() {
        ModelSpec spec = Presets.byName("tiny-mamba-130m");
        try (Model model = Model.random(spec, WeightInit.lecun(1), F16_CACHE);
             var session = model.session()) {
            List<DecodeScaling.Point> points = DecodeScaling.measure(model, new int[] {16, 100}, 4);
            assertEquals(2, points.size());
            for (DecodeScaling.Point p : points) {
                assertEquals(session.stateBytes(), p.memoryBytes(), "the state ggml allocated for a session");
            }
        }
    }

    @Test
    void contextsThatCannotBeMeasuredAreNamed() {
        ModelSpec spec = Presets.byName("tiny-llama-2-7b");
        try (Model model = Model.random(spec, WeightInit.lecun(1), F16_CACHE)) {
            var close = assertThrows(IllegalArgumentException.class,
                    () -> DecodeScaling.measure(model, new int[] {16, 18}, 4));
            assertEquals("contexts 16 and 18 are closer than the 4 decoded steps, which stay in the cache; give "
                    + "increasing contexts at least steps apart", close.getMessage());
            var tooLong = assertThrows(IllegalArgumentException.class,
                    () -> DecodeScaling.measure(model, new int[] {16, 126}, 4));
            assertEquals("the last context 126 plus 4 steps needs 130 positions, more than tiny-llama-2-7b's context "
                    + "length of 128; raise it with spec.toBuilder().contextLength(130)", tooLong.getMessage());
            var warmUp = assertThrows(IllegalArgumentException.class,
                    () -> DecodeScaling.measure(model, new int[] {4}, 1));
            assertEquals("context 4 is below the 9 tokens of the warm-up", warmUp.getMessage());
        }
    }
}
