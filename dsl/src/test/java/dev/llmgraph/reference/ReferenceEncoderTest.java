package dev.llmgraph.reference;

import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny BERT (2 layers, dModel 32, 4 heads, learned positions, 2 token types, embedding LayerNorm, post-LN, erf
 * GELU, biases everywhere) encoded by ggml against {@link ReferenceForward#encode} in double precision, per pooling:
 * every token's hidden state and the pooled vector within {@link Tolerances#FLOAT32} of the reference's scale. The
 * test also shows that the mask is bidirectional (the last token moves the first token's state) and that token
 * types count, so that agreement is not agreement on something that ignores them.
 */
class ReferenceEncoderTest {
    static final int[] TOKENS = {5, 17, 3, 60, 41, 9, 22, 2};
    static final int[] TYPES = {0, 0, 0, 0, 1, 1, 1, 1};

    static ModelSpec tinyBert(Pooling pooling) {
        return Transformer.encoder("tiny-bert").vocabSize(64).dModel(32).layers(2).contextLength(16)
                .attention(Attention.multiHead(4).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-12), NormPlacement.POST).finalNorm(false)
                .ffn(Ffn.mlp(64, Activation.GELU))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(2))
                .pooling(pooling)
                .build();
    }

    @ParameterizedTest(name = "tiny BERT, {0} pooling: hidden states and pooled vector match the reference")
    @ValueSource(strings = {"cls", "mean", "last", "none"})
    void encoderMatchesTheReference(String pooling) {
        ModelSpec spec = tinyBert(switch (pooling) {
            case "cls" -> Pooling.cls();
            case "mean" -> Pooling.mean();
            case "last" -> Pooling.last();
            default -> Pooling.none();
        });
        try (Model model = Model.random(spec, WeightInit.lecun(3), ReferenceForwardTest.CPU)) {
            Encoding actual = model.encode(TOKENS, TYPES);
            ReferenceForward.Encoded expected = ReferenceForward.of(model).encode(TOKENS, TYPES);
            double hidden = Tolerances.relativeError(actual.hiddenStates(), flatten(expected.hidden()));
            assertTrue(hidden <= Tolerances.FLOAT32, "hidden states differ by " + hidden);
            if (expected.pooled() == null) {
                var e = assertThrows(IllegalStateException.class, actual::pooled);
                assertEquals("tiny-bert does not pool (Pooling.none()); read hidden(t), or build it with "
                        + ".pooling(Pooling.cls()) or .pooling(Pooling.mean())", e.getMessage());
            } else {
                double pooled = Tolerances.relativeError(actual.pooled(), expected.pooled());
                assertTrue(pooled <= Tolerances.FLOAT32, "pooled vectors differ by " + pooled);
            }
        }
    }

    /** nomic-bert's shape: RoPE (halves) on q and k instead of a position table, and a SwiGLU FFN. */
    @ParameterizedTest(name = "tiny RoPE + SwiGLU encoder, {0} pooling: matches the reference")
    @ValueSource(strings = {"mean", "cls"})
    void ropeSwigluEncoderMatchesTheReference(String pooling) {
        ModelSpec spec = tinyBert(pooling.equals("mean") ? Pooling.mean() : Pooling.cls()).toBuilder()
                .positional(Positional.rope(10_000).withPairing(dev.llmgraph.spec.RopePairing.HALVES))
                .ffn(Ffn.swiglu(48)).build();
        try (Model model = Model.random(spec, WeightInit.lecun(4), ReferenceForwardTest.CPU)) {
            Encoding actual = model.encode(TOKENS, TYPES);
            ReferenceForward.Encoded expected = ReferenceForward.of(model).encode(TOKENS, TYPES);
            double hidden = Tolerances.relativeError(actual.hiddenStates(), flatten(expected.hidden()));
            double pooled = Tolerances.relativeError(actual.pooled(), expected.pooled());
            assertTrue(hidden <= Tolerances.FLOAT32, "hidden states differ by " + hidden);
            assertTrue(pooled <= Tolerances.FLOAT32, "pooled vectors differ by " + pooled);
        }
    }

    /**
     * BERT's masked-LM head (dense, exact GELU, LayerNorm, the tied token embedding, a bias per token) against the
     * reference; model.forward gives the same logits as encode, and a masked position's prediction reads the tokens
     * after it too.
     */
    @Test
    void maskedLmHeadMatchesTheReference() {
        ModelSpec spec = tinyBert(Pooling.cls()).withMaskedLmHead(true);
        try (Model model = Model.random(spec, WeightInit.lecun(5), ReferenceForwardTest.CPU)) {
            Encoding actual = model.encode(TOKENS, TYPES);
            ReferenceForward.Encoded expected = ReferenceForward.of(model).encode(TOKENS, TYPES);
            double logits = Tolerances.relativeError(actual.logits(), expected.logits());
            assertTrue(logits <= Tolerances.FLOAT32, "masked-LM logits differ by " + logits);
            double hidden = Tolerances.relativeError(actual.hiddenStates(), flatten(expected.hidden()));
            assertTrue(hidden <= Tolerances.FLOAT32, "hidden states differ by " + hidden);
            assertEquals(Arrays.toString(model.encode(TOKENS).logits().toArray()),
                    Arrays.toString(model.forward(TOKENS).toArray()), "forward is the masked-LM head's logits");
            int[] lastChanged = TOKENS.clone();
            lastChanged[TOKENS.length - 1] = 33;
            assertTrue(maxDifference(model.forward(TOKENS).row(0), model.forward(lastChanged).row(0)) > 1e-3,
                    "the prediction at position 0 reads the last token");
            assertEquals("tiny-bert is an ENCODER: every token sees the whole sequence, so there is no next token to "
                    + "decode or generate; use model.encode(tokens) for its hidden states and CLS pooling, "
                    + "model.forward(tokens) for its masked-LM logits", assertThrows(UnsupportedOperationException.class,
                    () -> model.session()).getMessage());
        }
    }

    @Test
    void everyTokenSeesTheWholeSequenceAndItsTokenType() {
        try (Model model = Model.random(tinyBert(Pooling.cls()), WeightInit.lecun(3), ReferenceForwardTest.CPU)) {
            float[] first = model.encode(TOKENS, TYPES).hidden(0);
            int[] lastChanged = TOKENS.clone();
            lastChanged[TOKENS.length - 1] = 33;
            assertTrue(maxDifference(first, model.encode(lastChanged, TYPES).hidden(0)) > 1e-3,
                    "the last token moves the first token's state");
            int[] otherType = TYPES.clone();
            otherType[0] = 1;
            assertTrue(maxDifference(first, model.encode(TOKENS, otherType).hidden(0)) > 1e-3,
                    "the token type moves the token's state");
            assertEquals(Arrays.toString(model.encode(TOKENS).pooled()),
                    Arrays.toString(model.encode(TOKENS, new int[TOKENS.length]).pooled()), "no types means type 0");
        }
    }

    @Test
    void badInputIsRefusedInWords() {
        try (Model model = Model.random(tinyBert(Pooling.cls()), WeightInit.lecun(3), ReferenceForwardTest.CPU)) {
            var range = assertThrows(IllegalArgumentException.class, () -> model.encode(new int[] {1, 2, 3},
                    new int[] {0, 2, 0}));
            assertEquals("token type 2 at index 1 is out of range: tiny-bert has 2 token types (ids 0 to 1)",
                    range.getMessage());
            var length = assertThrows(IllegalArgumentException.class, () -> model.encode(new int[] {1, 2, 3},
                    new int[] {0, 1}));
            assertEquals("tokenTypes has 2 entries for 3 tokens; give one token type per token", length.getMessage());
            String decoding = "tiny-bert is an ENCODER: every token sees the whole sequence, so there is no next token "
                    + "to decode or generate; use model.encode(tokens) for its hidden states and CLS pooling";
            assertEquals("tiny-bert is an ENCODER without a masked-LM head: it predicts no tokens; use "
                    + "model.encode(tokens) for its hidden states and CLS pooling, or build it with "
                    + ".maskedLmHead(true)", assertThrows(UnsupportedOperationException.class,
                    () -> model.forward(1, 2, 3)).getMessage());
            assertEquals(decoding, assertThrows(UnsupportedOperationException.class,
                    () -> model.session()).getMessage());
            assertEquals(decoding, assertThrows(UnsupportedOperationException.class, () -> model.generate(
                    new int[] {1, 2}, dev.llmgraph.model.GenerationConfig.greedy(3))).getMessage());
        }
        ModelSpec untyped = tinyBert(Pooling.mean()).withEmbeddings(Embeddings.untied().withLayerNorm(true));
        try (Model model = Model.random(untyped, WeightInit.lecun(3), ReferenceForwardTest.CPU)) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.encode(new int[] {1, 2},
                    new int[] {0, 1}));
            assertEquals("token type 1 at index 1 is out of range: tiny-bert has no token types (every token is "
                    + "type 0)", e.getMessage());
        }
        try (Model decoder = Model.random(ArchitectureAxes.spec(new int[ArchitectureAxes.sizes().length]), 1)) {
            var e = assertThrows(UnsupportedOperationException.class, () -> decoder.encode(1, 2));
            assertEquals("encode: " + decoder.spec().name() + " is a CAUSAL_DECODER, which predicts tokens (forward, "
                    + "generate) and has no encoder output; build an encoder with Transformer.encoder(...)",
                    e.getMessage());
        }
    }

    @Test
    void trainingAnEncoderIsRefusedInWords() {
        ModelSpec spec = tinyBert(Pooling.cls()).withFfn(Ffn.mlp(64, Activation.GELU_TANH));
        assertEquals(java.util.List.of("training: an encoder learns by predicting masked tokens, an objective "
                + "(masking, a loss at the masked positions only) the training graph does not build yet; train a "
                + "CAUSAL_DECODER or PREFIX_DECODER, or keep encoders to inference"),
                dev.llmgraph.model.lower.TrainingSupport.problems(spec));
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static double[] flatten(double[][] x) {
        return Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray();
    }
}
