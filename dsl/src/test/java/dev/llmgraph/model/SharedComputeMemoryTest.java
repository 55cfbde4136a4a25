package dev.llmgraph.model;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model's graphs share one scheduler and its compute memory. A session's reused decode graph must not
 * run on memory another graph took in the meantime (an inspection that grew the buffer, another session):
 * before the fix this read freed memory and brought the JVM down. Each case compares with a full forward
 * pass; tolerance: float32 rounding of the same ops in a different batch split.
 */
class SharedComputeMemoryTest {
    private static final double TOLERANCE = 1e-5;
    private static final ModelSpec SPEC = Presets.tiny(Presets.llama2_7b()).withContextLength(512);

    @Test
    void aDecodeGraphAfterABiggerInspectionIsRebuilt() {
        try (Model model = Model.random(SPEC, WeightInit.lecun(3), ModelOptions.cpu().withThreads(1));
             Session session = model.session(64)) {
            float[] expected = model.forward(1, 2, 3, 4, 5, 6, 9, 10).last();
            session.feed(1, 2, 3, 4, 5, 6);
            session.feed(9);
            int[] big = new int[500];
            for (int i = 0; i < big.length; i++) {
                big[i] = i % 256;
            }
            model.inspect(big, "l_out.1");
            assertClose(expected, session.feed(10));
        }
    }

    @Test
    void twoSessionsTakingTurnsDecodeCorrectly() {
        try (Model model = Model.random(SPEC, WeightInit.lecun(4), ModelOptions.cpu().withThreads(1));
             Session a = model.session(32); Session b = model.session(32)) {
            float[] expectedA = model.forward(7, 8, 9, 10).last();
            float[] expectedB = model.forward(20, 21, 22, 23).last();
            a.feed(7, 8);
            b.feed(20, 21);
            a.feed(9);
            b.feed(22);
            assertClose(expectedA, a.feed(10));
            assertClose(expectedB, b.feed(23));
        }
    }

    private static void assertClose(float[] expected, float[] actual) {
        double scale = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(diff <= TOLERANCE * scale, "max difference " + diff + " against logits up to " + scale);
    }
}
