package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.llmgraph.model.lower.KvCacheConsistencyTest.CPU;
import static dev.llmgraph.model.lower.KvCacheConsistencyTest.SPLIT_TOLERANCE;
import static dev.llmgraph.model.lower.KvCacheConsistencyTest.assertClose;
import static dev.llmgraph.model.lower.KvCacheConsistencyTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A session's sliding layers keep their window and one batch as a ring, and decode as if they kept every position:
 * the reference is the full forward pass, one batch whose cache keeps every position on every layer. The sequence is
 * long enough to wrap the ring twice, fed in batches and then a token at a time.
 */
class SlidingWindowRingTest {
    static final int WINDOW = 8;
    static final int BATCH = 4;
    static final int CAPACITY = 1024;
    /** The window and one batch, rounded up to 256 rows. */
    static final int RING = 256;
    static final int PROMPT = 520;
    static final int DECODED = 40;

    static ModelSpec spec(Positional positional, int globalEvery, boolean flash) {
        return Transformer.causalDecoder("ring-" + globalEvery)
                .vocabSize(64).dModel(32).layers(2).contextLength(CAPACITY)
                .attention(Attention.grouped(4, 2).withSlidingWindow(new SlidingWindow(WINDOW, globalEvery))
                        .withFlash(flash))
                .positional(positional)
                .ffn(Ffn.swiglu(48))
                .build();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String positional : List.of("RoPE", "ALiBi")) {
            for (int globalEvery : new int[] {0, 2}) {
                for (boolean flash : new boolean[] {false, true}) {
                    out.add(Arguments.of(positional + (globalEvery == 0 ? " every layer slides" : " layer 1 global")
                            + (flash ? " flash" : ""), positional, globalEvery, flash));
                }
            }
        }
        return out.stream();
    }

    static Positional positional(String name) {
        return name.equals("ALiBi") ? Positional.alibi() : Positional.rope(10_000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRingOfTheWindowAndOneBatchDecodesAsTheFullForward(String label, String positional, int globalEvery,
                                                            boolean flash) {
        ModelSpec spec = spec(positional(positional), globalEvery, flash);
        assertDecodesAsTheFullForward(spec, label, CPU, SPLIT_TOLERANCE);
    }

    /**
     * Feeds {@link #PROMPT} tokens in batches of {@link #BATCH}, then {@link #DECODED} one at a time, through a
     * session with {@code options}, and compares every position's logits with the full forward pass's.
     */
    static void assertDecodesAsTheFullForward(ModelSpec spec, String label, ModelOptions options, double tolerance) {
        int[] tokens = new SplittableRandom(label.hashCode()).ints(PROMPT + DECODED, 0, spec.vocabSize()).toArray();
        float[][] full;
        try (Model model = Model.random(spec, WeightInit.lecun(1), options)) {
            full = rows(model.forward(tokens, 0));
        }
        List<float[]> decoded = new ArrayList<>();
        try (Model model = Model.random(spec, WeightInit.lecun(1), options.withBatchSize(BATCH));
             Session session = model.session(CAPACITY)) {
            assertEquals(RING, session.slidingRows());
            decoded.addAll(Arrays.asList(rows(session.feedAll(Arrays.copyOf(tokens, PROMPT)))));
            for (int t = PROMPT; t < tokens.length; t++) {
                decoded.add(session.feed(tokens[t]));
            }
        }
        assertClose(full, decoded.toArray(float[][]::new), tolerance, label);
    }

    @Test
    void theSlidingLayersHoldTheRingAndTheGlobalOnesEveryPosition() {
        ModelSpec spec = spec(Positional.rope(10_000), 2, true);
        // 2 (K and V) x 2 K/V heads x 8 values x 4 bytes a row; layer 0 slides (256 rows), layer 1 is global (1024)
        long row = 2L * 2 * 8 * 4;
        long expected = row * RING + row * CAPACITY;
        assertEquals(expected, spec.accounting().kvCacheBytes(CAPACITY, GgmlType.F32, BATCH));
        assertEquals(2 * row * CAPACITY, spec.accounting().kvCacheBytes(CAPACITY, GgmlType.F32, CAPACITY),
                "a batch as long as the cache keeps every position");
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU.withBatchSize(BATCH));
             Session session = model.session(CAPACITY)) {
            assertEquals(expected, session.cacheBytes());
        }
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU.withBatchSize(BATCH));
             Session session = model.session(200)) {
            assertEquals(200, session.slidingRows(), "a ring no smaller than the session keeps every position");
        }
    }

    /**
     * A rewind continues as the full forward pass of the kept tokens and the next ones. Back by one batch (248 tokens:
     * the ring's 256 rows less the window), the ring still holds what the next windows need. One token further, the
     * next tokens' windows need positions the ring has overwritten: the session starts over and feeds the kept tokens
     * again.
     */
    @ParameterizedTest(name = "back by {0}: {1} tokens fed again")
    @CsvSource({"248, 0", "249, 51"})
    void aRewindContinuesAsTheFullForward(int back, int replayed) {
        ModelSpec spec = spec(Positional.rope(10_000), 0, false);
        int[] first = new SplittableRandom(7).ints(300, 0, spec.vocabSize()).toArray();
        int keep = first.length - back;
        int[] next = new SplittableRandom(8).ints(8, 0, spec.vocabSize()).toArray();
        int[] kept = Arrays.copyOf(first, keep + next.length);
        System.arraycopy(next, 0, kept, keep, next.length);
        float[][] full;
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU)) {
            full = rows(model.forward(kept, 0));
        }
        assertEquals(248, RING - WINDOW, "one batch back, in rows of 256");
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU.withBatchSize(BATCH));
             Session session = model.session(CAPACITY)) {
            session.feed(first);
            session.rewind(keep);
            assertEquals(keep, session.position());
            assertEquals(replayed, session.replayedTokens());
            float[][] continued = rows(session.feedAll(next));
            assertClose(Arrays.copyOfRange(full, keep, full.length), continued, SPLIT_TOLERANCE, "after the rewind");
        }
    }
}
