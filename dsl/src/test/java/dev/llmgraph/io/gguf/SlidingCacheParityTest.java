package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sliding layers' ring against llama.cpp's: Gemma 2 and Gemma 3 (window 8 on layer 0, layer 1 global) fed a long
 * prompt in batches of 4 tokens. Both keep the sliding layers' keys in 256 rows (the window and one batch, padded: the
 * iswa cache's {@code n_swa + n_ubatch}, which the shim asks for with {@code swa_full} off), and the 560 tokens fill
 * them twice over; llama.cpp computes with the same batches ({@code n_ubatch} 4). Every position's logits are compared.
 *
 * <p>Measured: bit for bit (0) in every case. llama.cpp puts position p in cell p mod 256 too, so both read the keys
 * in the same order. The flash cases would see another order: ggml's CPU flash attention accumulates the values in
 * F16, so a window read across the ring's end (positions 256..262) in position order instead differed by 3.7e-3 of
 * the largest logit (measured with llmgraph keeping every position against llama.cpp's ring).
 */
class SlidingCacheParityTest {
    private static final int THREADS = 2;
    private static final int CONTEXT = 1024;
    private static final int BATCH = 4;
    private static final int PROMPT = 300;
    private static final double TOLERANCE = 1e-6;

    static Stream<Arguments> cases() {
        return Stream.of("gemma2", "gemma3").flatMap(label -> Stream.of(false, true)
                .map(flash -> Arguments.of(label, flash)));
    }

    @ParameterizedTest(name = "{0}, flash attention {1}")
    @MethodSource("cases")
    void aRingOfTheWindowAndOneBatchMatchesLlamaCppsSlidingCache(String label, boolean flash, @TempDir Path dir) {
        ModelSpec tiny = TinyModels.all().get(label);
        ModelSpec spec = tiny.withContextLength(CONTEXT).withAttention(tiny.attention().withFlash(flash));
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(TinyModels.fileName(label) + ".gguf");
        float[] ours;
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withCacheType(GgmlType.F16)
                .withRepackMapped(false).withBatchSize(BATCH);
        try (Model model = Model.random(spec, WeightInit.lecun(11), options); Session session = model.session()) {
            GgufModels.write(model, file);
            assertEquals(256, session.slidingRows(), "the ring");
            ours = session.feedAll(prompt).toArray();
        }
        var settings = LlamaReference.Settings.defaults().withContextLength(CONTEXT).withThreads(THREADS)
                .withFlashAttention(flash).withStepTokens(BATCH);
        float[] reference;
        try (LlamaReference llama = LlamaReference.open(file, settings)) {
            reference = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        Difference difference = Difference.of(ours, reference);
        System.out.printf("%s, flash %s: %s%n", label, flash, difference);
        assertTrue(difference.relative() <= TOLERANCE, "llmgraph's ring vs llama.cpp's: " + difference);
    }
}
