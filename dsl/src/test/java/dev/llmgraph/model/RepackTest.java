package dev.llmgraph.model;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantized weights in the CPU backend's repacking buffer (llama.cpp's default on AVX2 machines) give the
 * same logits as the same weights in a plain buffer: the repacked kernels compute the same Q4_0 x Q8
 * dot products, in another order. They cannot be read back, and say so.
 */
class RepackTest {
    /** Relative to the logits' largest magnitude: a different summation order of the same products. */
    private static final double TOLERANCE = 1e-5;

    private static final ModelSpec SPEC = Presets.tiny(Presets.llama2_7b()).withDModel(64);
    private static final int[] TOKENS = {3, 14, 15, 92, 65, 35, 89, 79, 32};

    @Test
    void repackedQ40WeightsGiveTheSameLogits() {
        sameLogitsRepacked(SPEC);
    }

    /**
     * Stacked experts are probed with mul_mat_id and MLA's per-head W_UK / W_UV with a batched mul_mat, as llama.cpp's
     * loader does (a plain 2-d probe refused their shapes, and loading them with repacking on failed).
     */
    @Test
    void expertStacksAndPerHeadMatricesArePlacedByTheOpTheyMeet() {
        sameLogitsRepacked(Presets.tiny(Presets.deepSeekV2Lite()).withDModel(64));
        sameLogitsRepacked(Presets.tiny(Presets.mixtral8x7b()).withDModel(64));
    }

    /**
     * A tied head multiplies by a repacked copy of the token embedding, as llama.cpp loads a tied output as a
     * duplicate on the output's buffer type: the model holds the embedding's bytes once more, and the logits are
     * the plain model's up to the kernels' summation order.
     */
    @Test
    void aTiedHeadMultipliesByARepackedCopyOfTheEmbedding() {
        ModelSpec tied = SPEC.toBuilder().tiedEmbeddings(true).build();
        sameLogitsRepacked(tied);
        ModelOptions options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.Q4_0);
        try (Model plain = Model.random(tied, WeightInit.lecun(5), options);
             Model repacked = Model.random(tied, WeightInit.lecun(5), options.withRepack(true));
             Model untied = Model.random(SPEC, WeightInit.lecun(5), options);
             Model untiedRepacked = Model.random(SPEC, WeightInit.lecun(5), options.withRepack(true))) {
            long copy = plain.weightTensor("token_embd.weight").byteSize();
            long extra = repacked.weightBytes() - plain.weightBytes();
            assertTrue(extra >= copy && extra < copy + 4096, "the copy's " + copy + " bytes, measured " + extra);
            long untiedExtra = untiedRepacked.weightBytes() - untied.weightBytes();
            assertTrue(untiedExtra < 4096, "an untied model has its own output matrix and no copy: " + untiedExtra);
        }
    }

    private static void sameLogitsRepacked(ModelSpec spec) {
        ModelOptions options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.Q4_0);
        try (Model plain = Model.random(spec, WeightInit.lecun(5), options);
             Model repacked = Model.random(spec, WeightInit.lecun(5), options.withRepack(true))) {
            Logits a = plain.forward(TOKENS), b = repacked.forward(TOKENS);
            double scale = 0;
            for (float v : a.toArray()) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(a.maxAbsDifference(b) <= TOLERANCE * scale,
                    "max difference " + a.maxAbsDifference(b) + " against logits up to " + scale);
        }
    }

    @Test
    void repackedWeightsCannotBeReadBack() {
        ModelOptions options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.Q4_0).withRepack(true);
        try (Model model = Model.random(SPEC, WeightInit.lecun(5), options)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.weight("blk.0.attn_q.weight"));
            assertEquals("tensor blk.0.attn_q.weight q4_0 [64, 32] lives in a CPU_REPACK buffer, which rearranges its "
                    + "data for faster matrix products and cannot be read back; keep it in the backend's default "
                    + "buffer to read it (create the model with ModelOptions.withRepack(false) to read quantized "
                    + "weights back)", e.getMessage());
            assertEquals(256 * 64, model.weight("token_embd.weight").length,
                    "the token embedding (read by lookups) stays in the plain buffer and reads back");
        }
    }
}
