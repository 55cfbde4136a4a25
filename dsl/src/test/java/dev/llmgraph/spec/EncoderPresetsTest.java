package dev.llmgraph.spec;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.EncoderPresets;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BERT presets counted exactly: the spec counts the encoder, and the encoder plus BERT's pooler (which llmgraph's
 * CLS pooling does not have) is the published {@code BertModel} count of transformers.
 */
class EncoderPresetsTest {
    @ParameterizedTest(name = "{0}: {1} in the encoder, {2} with the pooler (published)")
    @CsvSource({
            "bert-base-uncased,  108891648, 109482240",
            "bert-large-uncased, 334092288, 335141888"})
    void countsAreExact(String name, long encoder, long published) {
        ModelSpec spec = EncoderPresets.all().get(name).get();
        assertEquals(encoder, spec.parameterCount());
        assertEquals(published, spec.parameterCount() + EncoderPresets.poolerParameters(spec.dModel()));
    }

    /**
     * transformers' BertForMaskedLM (no pooler): the encoder, the head's dense layer with bias (768 x 768 + 768), its
     * LayerNorm (2 x 768), the decoder bias (30 522); the decoder matrix is the tied embedding. 109 514 298.
     */
    @Test
    void bertBaseWithItsMaskedLmHeadCountsAsBertForMaskedLm() {
        assertEquals(109_514_298L, EncoderPresets.bertBaseUncased().withMaskedLmHead(true).parameterCount());
    }

    @Test
    void aTinyBertRunsWithBertsChoices() {
        ModelSpec tiny = Presets.tiny(EncoderPresets.bertBaseUncased());
        assertEquals(ArchitectureKind.ENCODER, tiny.kind());
        assertEquals(2, tiny.embeddings().tokenTypes());
        try (Model model = Model.random(tiny, WeightInit.lecun(1), ModelOptions.cpu().withThreads(1))) {
            var encoding = model.encode(new int[] {101, 7, 8, 102, 9, 102}, new int[] {0, 0, 0, 0, 1, 1});
            assertEquals(32, encoding.pooled().length);
            assertEquals(6, encoding.tokens());
        }
    }
}
