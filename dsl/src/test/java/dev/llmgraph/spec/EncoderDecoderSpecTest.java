package dev.llmgraph.spec;

import dev.llmgraph.presets.EncoderDecoderPresets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoder-decoder specs: the presets' published counts, checked against the configs' arithmetic, and the rules. */
class EncoderDecoderSpecTest {

    /**
     * The count from a Hugging Face T5 config by hand: the shared embedding V d; per encoder layer attention 4 d
     * (H d_kv), FFN (2 or 3) d d_ff, two norms of d; per decoder layer self- and cross-attention, the FFN, three
     * norms; a bias table H x 32 and a final norm per stack; an untied head V d.
     */
    private static long configArithmetic(long vocab, long d, long layers, long heads, long dKv, long dFf,
                                         boolean gated, boolean tied) {
        long attention = 4 * d * heads * dKv;
        long ffn = (gated ? 3 : 2) * d * dFf;
        long encoder = layers * (attention + ffn + 2 * d) + heads * 32 + d;
        long decoder = layers * (2 * attention + ffn + 3 * d) + heads * 32 + d;
        return vocab * d + encoder + decoder + (tied ? 0 : vocab * d);
    }

    @Test
    void t5SmallCountsAsPublished() {
        long published = 60_506_624L;
        assertEquals(published, configArithmetic(32128, 512, 6, 8, 64, 2048, false, true));
        assertEquals(published, EncoderDecoderPresets.t5Small().parameterCount());
    }

    @Test
    void t5BaseCountsAsPublished() {
        long published = 222_903_552L;
        assertEquals(published, configArithmetic(32128, 768, 12, 12, 64, 3072, false, true));
        assertEquals(published, EncoderDecoderPresets.t5Base().parameterCount());
    }

    @Test
    void flanT5BaseCountsAsPublished() {
        long published = 247_577_856L;
        assertEquals(published, configArithmetic(32128, 768, 12, 12, 64, 2048, true, false));
        assertEquals(published, EncoderDecoderPresets.flanT5Base().parameterCount());
    }

    @Test
    void theStacksAreAnEncoderAndACausalDecoderWithoutAttentionScaling() {
        EncoderDecoderSpec t5 = EncoderDecoderPresets.t5Small();
        assertEquals(ArchitectureKind.ENCODER, t5.encoder().kind());
        assertEquals(ArchitectureKind.CAUSAL_DECODER, t5.decoder().kind());
        assertEquals(1.0, t5.decoder().attention().scale(t5.dModel()), "T5 does not divide q.k by sqrt(headDim)");
        assertEquals(1 / Math.sqrt(512), t5.headScale(), 1e-15);
        assertEquals(1.0, EncoderDecoderPresets.flanT5Base().headScale());
        List<String> names = t5.plan().weights().stream().map(WeightLayout.Weight::name).toList();
        assertTrue(names.containsAll(List.of("token_embd.weight", "enc.blk.0.attn_rel_b.weight", "enc.blk.5.attn_o.weight",
                "enc.output_norm.weight", "dec.blk.0.attn_rel_b.weight", "dec.blk.5.cross_attn_q.weight",
                "dec.output_norm.weight")), names.toString());
        assertEquals(1, names.stream().filter(n -> n.equals("token_embd.weight")).count());
    }

    @Test
    void impossibleSpecsAreRefusedWithEveryProblemInWords() {
        var e = assertThrows(InvalidSpecException.class, () -> Transformer.encoderDecoder("bad").vocabSize(100)
                .dModel(32).encoderLayers(2).decoderLayers(2).heads(4).tiedEmbeddings(false).rescaledHead(true)
                .decoderStartToken(100).build());
        assertEquals("""
                spec 'bad' has 3 problems:
                  - ffn = null: the feed-forward network must be set; T5: Ffn.mlp(2048, Activation.RELU); Flan-T5: \
                Ffn.geglu(2048).withActivation(GELU_TANH)
                  - decoderStartToken = 100: must be a token id below vocabSize = 100: every decoded sequence begins \
                with it; T5 uses 0 (its padding token)
                  - rescaledHead = true: T5 multiplies the decoder's output by dModel^-0.5 only when the output head is \
                the tied token embedding; tiedEmbeddings(true) as T5 v1.0, or rescaledHead(false) as T5 v1.1 and \
                Flan-T5""", e.getMessage());
    }

    @Test
    void aSetterRefusesItsOwnBadArgumentAtOnce() {
        var noEncoder = assertThrows(IllegalArgumentException.class,
                () -> Transformer.encoderDecoder("bad").encoderLayers(0));
        assertEquals("encoderLayers = 0: must be at least 1: an encoder-decoder reads its input with the encoder; "
                + "T5-small uses 6; with no encoder, build a Transformer.causalDecoder", noEncoder.getMessage());
        var noDecoder = assertThrows(IllegalArgumentException.class,
                () -> Transformer.encoderDecoder("bad").decoderLayers(-1));
        assertEquals("decoderLayers = -1: must be at least 1: an encoder-decoder writes its output with the decoder; "
                + "T5-small uses 6; with no decoder, build a Transformer.encoder (llama.cpp's t5encoder)",
                noDecoder.getMessage());
        var start = assertThrows(IllegalArgumentException.class,
                () -> Transformer.encoderDecoder("bad").decoderStartToken(-2));
        assertEquals("decoderStartToken = -2: must be a token id (0 or more): every decoded sequence begins with it; "
                + "T5 uses 0 (its padding token)", start.getMessage());
    }

    @Test
    void aStackProblemIsReportedByThatStacksRules() {
        var e = assertThrows(InvalidSpecException.class, () -> Transformer.encoderDecoder("odd").vocabSize(100)
                .dModel(30).encoderLayers(1).decoderLayers(1).heads(4).ffn(Ffn.mlp(64, Activation.RELU)).build());
        assertEquals("attention.headDim", e.problems().getFirst().field());
    }
}
