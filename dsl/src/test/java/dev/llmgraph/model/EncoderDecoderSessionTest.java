package dev.llmgraph.model;

import dev.llmgraph.model.lower.CrossAttentionCache;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encoder-decoder's runtime: the encoder once, the cross-attention keys and values once, then the decoder with a
 * KV cache. Decoding token by token must give the logits of the teacher-forced batch (float32 rounding apart: the
 * batch multiplies matrices in another order, seen below 1e-6 of the logits' scale; allowed 1e-5).
 */
class EncoderDecoderSessionTest {
    private static final double BATCH_VS_STEPS = 1e-5;

    static EncoderDecoderSpec tiny() {
        return Transformer.encoderDecoder("tiny-t5").vocabSize(64).dModel(32).encoderLayers(2).decoderLayers(2)
                .heads(4).ffn(Ffn.mlp(64, Activation.RELU)).relativeBias(Positional.t5Bias(8, 16))
                .contextLength(32).build();
    }

    @Test
    void tokenByTokenDecodingEqualsTeacherForcedForward() {
        int[] input = {5, 9, 2, 33, 17, 40, 1};
        int[] output = {14, 3, 3, 52, 27, 9, 18, 22, 2, 63, 35, 44};
        try (EncoderDecoderModel model = EncoderDecoderModel.random(tiny(), 11)) {
            Logits whole = model.forward(input, output);                       // [start + output] in one batch
            assertEquals(output.length + 1, whole.tokens());
            EncoderOutput encoded = model.encode(input);
            try (CrossAttentionCache cross = model.crossAttention(encoded);
                 DecoderSession session = model.decoder(encoded, cross)) {
                double scale = rms(whole);
                double worst = 0;
                for (int t = 0; t <= output.length; t++) {
                    Logits step = t == 0 ? session.start() : session.feed(output[t - 1]);
                    for (int v = 0; v < whole.vocab(); v++) {
                        worst = Math.max(worst, Math.abs(step.get(0, v) - whole.get(t, v)));
                    }
                }
                assertTrue(worst / scale <= BATCH_VS_STEPS, "steps vs batch: " + worst / scale);
                assertEquals(output.length + 1, session.position());
                long crossBytes = 2L * 2 * input.length * 32 * Float.BYTES;        // K and V, 2 layers, S x d floats
                assertEquals(crossBytes, cross.byteSize());
            }
        }
    }

    /** Two sessions stepping in turn take the compute memory from each other's reused graph: each rebuilds its own. */
    @Test
    void sessionsSteppingInTurnGiveTheLogitsTheyGiveAlone() {
        int[] first = {5, 9, 2}, second = {40, 1, 60, 12};
        int[] output = {14, 3, 52, 27};
        try (EncoderDecoderModel model = EncoderDecoderModel.random(tiny(), 11)) {
            Logits a = model.forward(first, output), b = model.forward(second, output);
            try (DecoderSession one = model.decoder(model.encode(first));
                 DecoderSession two = model.decoder(model.encode(second))) {
                for (int t = 0; t <= output.length; t++) {
                    int id = t == 0 ? tiny().decoderStartToken() : output[t - 1];
                    float[] x = one.feed(id).row(0), y = two.feed(id).row(0);
                    for (int v = 0; v < x.length; v++) {
                        assertEquals(a.get(t, v), x[v], 1e-4, "first input, position " + t);
                        assertEquals(b.get(t, v), y[v], 1e-4, "second input, position " + t);
                    }
                }
            }
        }
    }

    @Test
    void greedyGenerationFollowsTheArgmaxOfTheTeacherForcedLogits() {
        int[] input = {5, 9, 2, 33, 17};
        try (EncoderDecoderModel model = EncoderDecoderModel.random(tiny(), 11)) {
            Generation g = model.generate(input, GenerationConfig.greedy(8));
            assertEquals(8, g.tokens().length);
            assertEquals(StopReason.MAX_TOKENS, g.stopReason());
            // teacher forcing with the generated tokens: each position's argmax is the next generated token
            Logits forced = model.forward(input, java.util.Arrays.copyOf(g.tokens(), 7));
            for (int t = 0; t < 8; t++) {
                assertEquals(g.tokens()[t], forced.argmax(t), "position " + t);
            }
            Generation stopped = model.generate(input, GenerationConfig.greedy(8).withStopTokens(g.tokens()[2]));
            assertEquals(StopReason.STOP_TOKEN, stopped.stopReason());
            assertTrue(stopped.tokens().length <= 3, java.util.Arrays.toString(stopped.tokens()));
        }
    }

    @Test
    void theAccountingCountsTheSelfAttentionCacheAndTheCrossAttentionKeysAndValues() {
        EncoderDecoderSpec spec = tiny();
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, 11);
             DecoderSession session = model.decoder(model.encode(1, 2, 3, 4, 5, 6), 10)) {
            assertEquals(spec.decoderCacheBytes(6, 10, dev.llmgraph.ggml.GgmlType.F32, dev.llmgraph.ggml.GgmlType.F32),
                    session.cacheBytes());
            assertEquals(2L * 2 * 6 * 32 * Float.BYTES,
                    spec.crossAttentionCacheBytes(6, dev.llmgraph.ggml.GgmlType.F32));
        }
    }

    /** Both stacks' weights are counted before any native memory is taken (T5-base: 222,903,552 F32 values). */
    @Test
    void weightsThatDoNotFitAreRefusedBeforeAllocating() {
        var spec = dev.llmgraph.presets.EncoderDecoderPresets.t5Base();
        long gib = 1L << 30;
        var e = assertThrows(NotEnoughMemoryException.class, () -> dev.llmgraph.model.lower.MemoryCheck.weights(
                spec.name(), spec.plan().weights(), ModelOptions.cpu(), WeightSource.random(WeightInit.gpt2(1)),
                gib / 2));
        assertEquals("t5-base needs 850.3 MiB for its weights (f32 matrices), and this machine has 512.0 MiB "
                + "available; use f16 weights (ModelOptions.withMatrixType(GgmlType.F16): 425.2 MiB), q8_0 weights "
                + "(ModelOptions.withMatrixType(GgmlType.Q8_0): 226.0 MiB), q4_0 weights "
                + "(ModelOptions.withMatrixType(GgmlType.Q4_0): 119.7 MiB), or a smaller spec (fewer layers, a smaller "
                + "dModel or vocabulary)", e.getMessage());
        assertEquals(850.3, 222_903_552L * 4 / (double) (1 << 20), 0.05, "every weight F32: 4 bytes a parameter");
    }

    @Test
    void aCrossAttentionCacheOfAnotherInputIsRefusedInWords() {
        try (EncoderDecoderModel model = EncoderDecoderModel.random(tiny(), 11)) {
            EncoderOutput first = model.encode(1, 2, 3, 4, 5);
            EncoderOutput second = model.encode(6, 7, 8);
            try (CrossAttentionCache cross = model.crossAttention(first)) {
                var e = assertThrows(IllegalArgumentException.class, () -> model.decoder(second, cross));
                assertEquals("this cross-attention cache was computed from another encoder output (5 positions), "
                        + "not from the one given (3 positions); its keys and values would attend to the wrong "
                        + "input: compute it with model.crossAttention(encoded), or call model.decoder(encoded)",
                        e.getMessage());
            }
        }
    }

    @Test
    void decodingFromTheEncoderStackAloneIsRefusedInWords() {
        // llama.cpp's t5encoder: the encoder stack alone, which has no next token to predict
        try (Model encoder = Model.random(tiny().encoder(), 3)) {
            var e = assertThrows(UnsupportedOperationException.class, () -> encoder.session());
            assertEquals("tiny-t5 is an ENCODER: every token sees the whole sequence, so there is no next token to "
                    + "decode or generate; use model.encode(tokens) for its hidden states and no pooling",
                    e.getMessage());
        }
    }

    @Test
    void aTokenOutsideTheVocabularyIsRefusedInWords() {
        try (EncoderDecoderModel model = EncoderDecoderModel.random(tiny(), 11);
             DecoderSession session = model.decoder(model.encode(1, 2))) {
            var e = assertThrows(IllegalArgumentException.class, () -> session.feed(64));
            assertEquals("token id 64 at index 0 of the decoder input is outside the vocabulary of 64 tokens (ids 0 "
                    + "to 63)", e.getMessage());
        }
    }

    private static double rms(Logits logits) {
        double squares = 0;
        for (int t = 0; t < logits.tokens(); t++) {
            for (int v = 0; v < logits.vocab(); v++) {
                squares += logits.get(t, v) * logits.get(t, v);
            }
        }
        return Math.sqrt(squares / ((double) logits.tokens() * logits.vocab()));
    }
}
