package dev.llmgraph.model;

import dev.llmgraph.model.lower.Weights;
import dev.llmgraph.model.lower.Positions;
import dev.llmgraph.model.lower.MemoryCheck;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.MemoryEstimate;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory check before weights and KV caches are allocated: its bytes against hand-computed ones, its message
 * word for word, and the summary's estimate against what a model really allocates.
 */
class MemoryCheckTest {
    private static final long GIB = 1L << 30;
    // LLaMA-2-7B: 6,738,415,616 parameters, of which 65 norm vectors of 4096 (2 per layer, 1 final) stay F32
    private static final long PARAMETERS = 6_738_415_616L, NORMS = 65L * 4096;

    @Test
    void weightsThatDoNotFitNameTheirSizeAndSmallerTypes() {
        var e = assertThrows(NotEnoughMemoryException.class, () -> MemoryCheck.weights(Presets.llama2_7b(),
                ModelOptions.cpu(), WeightSource.random(WeightInit.gpt2(1)), 23 * GIB));

        long f32 = PARAMETERS * 4;
        long f16 = (PARAMETERS - NORMS) * 2 + NORMS * 4;
        long q8 = (PARAMETERS - NORMS) / 32 * 34 + NORMS * 4;
        long q4 = (PARAMETERS - NORMS) / 32 * 18 + NORMS * 4;
        assertEquals(String.format(Locale.ROOT, "llama-2-7b needs %.2f GiB for its weights (f32 matrices), and this "
                        + "machine has 23.00 GiB available; use f16 weights (ModelOptions.withMatrixType(GgmlType.F16): "
                        + "%.2f GiB), q8_0 weights (ModelOptions.withMatrixType(GgmlType.Q8_0): %.2f GiB), q4_0 weights "
                        + "(ModelOptions.withMatrixType(GgmlType.Q4_0): %.2f GiB), a tiny-* preset (Presets.tiny(spec), "
                        + "2 layers, width 32), or a smaller spec (fewer layers, a smaller dModel or vocabulary)",
                f32 / (double) GIB, f16 / (double) GIB, q8 / (double) GIB, q4 / (double) GIB), e.getMessage());
        assertTrue(e.getMessage().startsWith("llama-2-7b needs 25.10 GiB for its weights"), e.getMessage());
    }

    @Test
    void weightsThatFitPass() {
        MemoryCheck.weights(Presets.llama2_7b(), ModelOptions.cpu(), WeightSource.random(WeightInit.gpt2(1)),
                PARAMETERS * 4);
    }

    @Test
    void aCacheThatDoesNotFitNamesAShorterContextAndF16() {
        var e = assertThrows(NotEnoughMemoryException.class,
                () -> MemoryCheck.cache(Presets.llama2_7b(), GgmlType.F32, 4096, 512, GIB));

        // 2 (K and V) x 32 layers x 4096 values x 4 bytes per token
        long perToken = 2L * 32 * 4096 * 4;
        assertEquals(String.format(Locale.ROOT, "a KV cache of 4096 tokens for llama-2-7b needs %.2f GiB (f32), and "
                        + "this machine has 1.00 GiB available; use a shorter context (model.session(tokens), "
                        + "ModelOptions.withContextLength(tokens)), an F16 cache (ModelOptions.withCacheType(GgmlType.F16): "
                        + "%.2f GiB), or a tiny-* preset (Presets.tiny(spec))", perToken * 4096 / (double) GIB,
                perToken * 4096 / 2 / (double) GIB), e.getMessage());
    }

    @Test
    void aModelTooLargeForThisMachineFailsBeforeAllocatingAnything() {
        // 4,000 LLaMA-2-7B layers in F32: about 3 TB, more than any test machine has
        ModelSpec huge = Presets.llama2_7b().toBuilder().name("huge").layers(4000).build();

        var e = assertThrows(NotEnoughMemoryException.class, () -> Model.random(huge, 1));

        assertTrue(e.getMessage().matches("huge needs \\d+\\.\\d\\d GiB for its weights \\(f32 matrices\\), and this "
                + "machine has \\d+\\.\\d\\d GiB available; use f16 weights .*"), e.getMessage());
    }

    @Test
    void theSummarysF32EstimateIsWhatModelRandomAllocates() {
        ModelSpec spec = Presets.tiny(Presets.llama2_7b());
        long estimate = spec.accounting().weightBytes(ModelOptions.cpu().matrixType());
        try (Model model = Model.random(spec, WeightInit.lecun(3), ModelOptions.cpu().withThreads(1))) {
            long allocated = model.weights().byteSize();
            long constants = 0;
            for (var table : Positions.of(spec).constantTables(spec.contextLength())) {
                constants += 4L * table.width() * table.rows();
            }
            int tensors = WeightLayout.of(spec).size() + Positions.of(spec).constantTables(spec.contextLength()).size();
            // the buffer adds at most one alignment (64 bytes) per tensor
            assertTrue(allocated >= estimate + constants && allocated <= estimate + constants + 64L * tensors,
                    "allocated " + allocated + ", estimated " + estimate + " + constant tables " + constants);
        }
        assertEquals(MemoryEstimate.gib(estimate), MemoryEstimate.gib(
                Weights.bytes(spec, ModelOptions.cpu(), WeightSource.random(WeightInit.lecun(3)))));
    }

    /**
     * A tied head multiplied through a repacked copy of the token embedding holds the embedding's bytes twice: the
     * estimate says so, within the buffers' alignment of what the model allocates, and counts it once without
     * repacking.
     */
    @Test
    void aTiedHeadsRepackedCopyIsInTheEstimate() {
        ModelSpec tied = Presets.tiny(Presets.llama2_7b()).toBuilder().tiedEmbeddings(true).build();
        ModelOptions options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.Q4_0);
        WeightSource source = WeightSource.random(WeightInit.lecun(3));
        long plain = Weights.bytes(tied, options, source), repacked = Weights.bytes(tied, options.withRepack(true), source);
        WeightLayout.Weight embedding = WeightLayout.of(tied).stream()
                .filter(w -> w.name().equals("token_embd.weight")).findFirst().orElseThrow();
        assertEquals(embedding.elements() / 32 * 18, repacked - plain, "the embedding once more, in Q4_0");
        long constants = 0;
        for (var table : Positions.of(tied).constantTables(tied.contextLength())) {
            constants += 4L * table.width() * table.rows();
        }
        int tensors = WeightLayout.of(tied).size() + Positions.of(tied).constantTables(tied.contextLength()).size() + 1;
        try (Model model = Model.random(tied, WeightInit.lecun(3), options.withRepack(true))) {
            long allocated = model.weights().byteSize();
            assertTrue(allocated >= repacked + constants && allocated <= repacked + constants + 64L * tensors,
                    "allocated " + allocated + ", estimated " + repacked + " + constant tables " + constants);
        }
    }
}
