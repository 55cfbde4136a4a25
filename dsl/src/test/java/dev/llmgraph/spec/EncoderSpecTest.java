package dev.llmgraph.spec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoders build with BERT's choices; what only an encoder has, or what it cannot have, is refused in words. */
class EncoderSpecTest {
    /** BERT's shape in miniature. */
    static ModelBuilder bert() {
        return Transformer.encoder("tiny-bert").vocabSize(64).dModel(32).layers(2).contextLength(16)
                .attention(Attention.multiHead(4).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-12), NormPlacement.POST).finalNorm(false)
                .ffn(Ffn.mlp(64, Activation.GELU))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(2));
    }

    @Test
    void bertBuildsAsABidirectionalEncoderWithClsPooling() {
        ModelSpec spec = bert().build();
        assertEquals(ArchitectureKind.ENCODER, spec.kind());
        assertEquals(MaskKind.BIDIRECTIONAL, spec.mask(1));
        assertEquals(Pooling.cls(), spec.pooling());
        assertEquals(2, spec.embeddings().tokenTypes());
        assertEquals(Pooling.mean(), spec.withPooling(Pooling.mean()).pooling());
    }

    /**
     * Counted by hand: embeddings 64 x 32 + positions 16 x 32 + 2 token types x 32 + the embedding LayerNorm 2 x 32
     * = 2688; per layer q, k, v, o with biases 4 x (32 x 32 + 32) = 4224, two LayerNorms 128, the FFN 32 x 64 + 64 +
     * 64 x 32 + 32 = 4192, so 8544; no output head. 2688 + 2 x 8544 = 19776.
     */
    @Test
    void accountingShapeTraceAndDiagramKnowTheEncoder() {
        ModelSpec spec = bert().build();
        assertEquals(19_776, spec.parameterCount());
        var trace = spec.accounting().shapeTrace(5);
        assertEquals("[5, 32]", java.util.Arrays.toString(trace.find("hidden").shape()));
        assertEquals("[1, 32]", java.util.Arrays.toString(trace.find("pooled").shape()));
        assertEquals("[5, 32]", java.util.Arrays.toString(trace.find("type_embd").shape()));
        assertEquals(null, trace.find("logits"));
        String svg = dev.llmgraph.display.BlockDiagram.of(spec).toString();
        assertEquals(true, svg.length() > 100, svg);
        assertEquals(true, spec.describe().contains("2 token types, CLS pooling"), spec.describe());
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                problem(b -> b.tokenTypes(-1), "embeddings.tokenTypes = -1: must be 0 (none) or more; BERT uses 2"),
                problem(b -> b.pooling(null), "pooling = null: must be set; Pooling.cls() (BERT), Pooling.mean() "
                        + "(Sentence-BERT) or Pooling.none()"),
                problem(b -> b.tiedEmbeddings(true), "embeddings.tied = true: an ENCODER has no output head to tie to "
                        + "the token embedding; use Embeddings.untied()"),
                problem(b -> b.embeddings(Embeddings.untied().withTokenTypes(2).withOutputBias(true)),
                        "embeddings.outputBias = true: an ENCODER has no output head to add a bias to (a masked-LM "
                                + "head has its own); use Embeddings.withOutputBias(false)"),
                problem(b -> b.finalLogitSoftcap(30), "finalLogitSoftcap = 30.0: an ENCODER has no output logits to "
                        + "cap; set 0"),
                problem(b -> b.attention(Attention.multiHead(4).withSlidingWindow(SlidingWindow.everyLayer(4))),
                        "attention.window = 4: a sliding window here looks only backwards, and an ENCODER sees both "
                                + "ways; drop the window"),
                problem(b -> b.kind(ArchitectureKind.CAUSAL_DECODER).pooling(Pooling.none()), "embeddings.tokenTypes = 2: "
                        + "token types are an encoder's segments (BERT's sentence A and B); a CAUSAL_DECODER reads one "
                        + "stream; set 0, or build it with Transformer.encoder(...)"),
                problem(b -> b.kind(ArchitectureKind.CAUSAL_DECODER).pooling(Pooling.none()).tokenTypes(0)
                        .maskedLmHead(true), "maskedLmHead = true: a masked-LM head predicts a hidden token from both "
                        + "sides, which only an ENCODER sees; a CAUSAL_DECODER predicts the next token with its output "
                        + "head; drop it, or build it with Transformer.encoder(...)"),
                problem(b -> b.kind(ArchitectureKind.PREFIX_DECODER).tokenTypes(0), "pooling = CLS pooling: only an "
                        + "ENCODER pools its hidden states; a PREFIX_DECODER predicts tokens with its output head; use "
                        + "Pooling.none(), or build it with Transformer.encoder(...)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void refusedInWords(String expected, UnaryOperator<ModelBuilder> breakIt) {
        var e = assertThrows(InvalidSpecException.class, () -> breakIt.apply(bert()).build());
        assertEquals("spec 'tiny-bert' has 1 problem:\n  - " + expected, e.getMessage());
    }

    @Test
    void rwkvCannotEncodeEitherWay() {
        var e = assertThrows(InvalidSpecException.class, () -> bert().rwkv(Rwkv6.finch(64)).build());
        assertTrue(e.getMessage().contains("\n  - rwkv = RWKV-6(headSize=64, ffnDim=224, mixRank=32, decayRank=64): "
                + "RWKV's time mixing reads left to right, so it cannot see the tokens after a position as an ENCODER "
                + "must; use attention, or make it a CAUSAL_DECODER"), e.getMessage());
    }

    private static Arguments problem(UnaryOperator<ModelBuilder> breakIt, String expected) {
        return Arguments.of(expected, breakIt);
    }
}
