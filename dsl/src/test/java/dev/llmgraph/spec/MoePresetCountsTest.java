package dev.llmgraph.spec;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.RoundingMode;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mixture-of-experts presets against what their publishers state. Where the publisher gives an exact count
 * (Mixtral: the checkpoint's safetensors index, total_size 93 405 585 408 bytes of bf16) it is asserted as it is;
 * where only a rounded figure is published ("15.7B"), the exact count the config gives is asserted, and that it
 * rounds to the published figure. The same for active parameters, with and without the input embedding table
 * (DeepSeek counts activated parameters without it; Mistral and Qwen with it).
 */
class MoePresetCountsTest {
    @ParameterizedTest(name = "{0}: {1} parameters, published as {2}B")
    @CsvSource({
            // exact from the config; the published figure in billions as its publisher rounds it
            "mixtral-8x7b,      46702792704,  46.7",  // = 93 405 585 408 / 2, the safetensors index total_size
            "deepseek-v2-lite,  15706484224,  15.7",  // model card and paper: 15.7B
            "deepseek-v2,       235741434880, 236",   // paper and model card: 236B
            "qwen1.5-moe-a2.7b, 14315784192,  14.3",  // model card: 14.3B
            "olmoe-1b-7b,       6919161856,   6.9",   // paper (arXiv 2409.02060): 6.9B total
            "qwen3-30b-a3b,     30532122624,  30.5"}) // model card: 30.5B in total
    void totalParametersAreTheConfigsAndRoundToThePublishedFigure(String preset, long exact, String published) {
        long total = Presets.byName(preset).parameterCount();
        assertEquals(exact, total);
        assertEquals(new BigDecimal(published), billions(total, new BigDecimal(published).scale(),
                RoundingMode.HALF_UP));
    }

    @Test
    void mixtralIsHalfTheBytesOfItsBf16Checkpoint() {
        assertEquals(93_405_585_408L, 2 * Presets.mixtral8x7b().parameterCount());
    }

    @ParameterizedTest(name = "{0}: {1} active parameters, {2} without the embedding table; published {3}B")
    @CsvSource({
            // Mistral: "12.9B active" (announcement, embeddings included)
            "mixtral-8x7b,      12879925248, 12748853248, 12.9, true,  HALF_UP",
            // DeepSeek: "2.4B activated" (model card, without the input embedding): 2.45 cut, not rounded
            "deepseek-v2-lite,  2661150208,  2451435008,  2.4,  false, DOWN",
            // DeepSeek: "21B activated" (paper, without the input embedding)
            "deepseek-v2,       21375800320, 20851512320, 21,   false, HALF_UP",
            // Qwen: "2.7B activated" (model card, embeddings included)
            "qwen1.5-moe-a2.7b, 2689173504,  2378008576,  2.7,  true,  HALF_UP",
            // AI2: "1.3B active" (OLMoE paper, embeddings included)
            "olmoe-1b-7b,       1282017280,  1178994688,  1.3,  true,  HALF_UP",
            // Qwen: "3.3B activated" (model card, embeddings included): 3.35 cut, not rounded
            "qwen3-30b-a3b,     3353032704,  3041867776,  3.3,  true,  DOWN"})
    void activeParametersAreThePublishedOnes(String preset, long active, long withoutEmbedding, String published,
                                             boolean publishedWithEmbedding, RoundingMode rounding) {
        ModelSpec spec = Presets.byName(preset);
        ParameterCount counts = spec.accounting().activeParameters();
        assertEquals(active, counts.total());
        long embedding = (long) spec.vocabSize() * spec.dModel();
        assertEquals(withoutEmbedding, counts.total() - embedding);
        BigDecimal figure = new BigDecimal(published);
        assertEquals(figure, billions(publishedWithEmbedding ? active : withoutEmbedding, figure.scale(), rounding));
    }

    @ParameterizedTest(name = "{0}: {1} F16 bytes of latent cache per token")
    @CsvSource({
            "deepseek-v2-lite, 31104",  // (512 + 64) x 27 layers x 2 bytes
            "deepseek-v2,      69120",  // (512 + 64) x 60 layers x 2 bytes
            "mixtral-8x7b,     131072", // 2 x 8 K/V heads x 128 x 32 layers x 2 bytes: GQA
            "qwen1.5-moe-a2.7b, 196608",  // 2 x 16 heads x 128 x 24 layers x 2 bytes: MHA
            "olmoe-1b-7b,       131072",  // 2 x 16 heads x 128 x 16 layers x 2 bytes: MHA
            "qwen3-30b-a3b,     98304"})  // 2 x 4 K/V heads x 128 x 48 layers x 2 bytes: GQA
    void cacheBytesPerTokenFollowTheArticlesTable(String preset, long bytes) {
        assertEquals(bytes, Presets.byName(preset).accounting().kvCacheBytesPerToken(GgmlType.F16));
    }

    private static BigDecimal billions(long count, int decimals, RoundingMode rounding) {
        return new BigDecimal(count).movePointLeft(9).setScale(decimals, rounding);
    }
}
