package dev.llmgraph.reference;

import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.Logits;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiny encoder-decoders (2 + 2 layers, width 32) against the double-precision reference: T5's ReLU FFN with the
 * rescaled tied head, and Flan-T5's gated GELU with an untied head. The decoder runs teacher-forced over its whole
 * input in one batch; the tolerance is {@link Tolerances#logits} of the decoder stack (F16 GELU table for gated
 * GELU).
 */
class ReferenceEncoderDecoderTest {
    static EncoderDecoderSpec tiny(Ffn ffn, boolean tied) {
        return Transformer.encoderDecoder("tiny-t5").vocabSize(64).dModel(32).encoderLayers(2).decoderLayers(2)
                .heads(4).ffn(ffn).relativeBias(Positional.t5Bias(8, 16)).tiedEmbeddings(tied).rescaledHead(tied)
                .contextLength(32).decoderStartToken(0).build();
    }

    @Test
    void t5ReluTiedRescaledHeadMatchesReference() {
        check(tiny(Ffn.mlp(64, Activation.RELU), true));
    }

    @Test
    void flanT5GatedGeluUntiedHeadMatchesReference() {
        check(tiny(Ffn.geglu(64).withActivation(Activation.GELU_TANH), false));
    }

    /** The cross-attention weights of a decoder step: which input positions each head reads, against the reference. */
    @Test
    void crossAttentionWeightsMatchTheReference() {
        EncoderDecoderSpec spec = tiny(Ffn.mlp(64, Activation.RELU), true);
        int[] input = {5, 9, 2, 33, 17, 40, 1};
        int[] output = {0, 14, 3};
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, 7);
             var session = model.decoder(model.encode(input))) {
            var inspected = session.feedInspecting(output, "cross_kq_softmax.1");
            var weights = inspected.node("cross_kq_softmax.1");
            assertTrue(java.util.Arrays.equals(new long[] {4, 3, 7}, weights.shape()),
                    java.util.Arrays.toString(weights.shape()));
            ReferenceEncoderDecoder reference = ReferenceEncoderDecoder.of(model);
            var expected = new java.util.HashMap<String, double[]>();
            reference.decode(reference.encode(input), output, expected);
            double worst = 0;
            double[] want = expected.get("cross_kq_softmax.1");
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(weights.values()[i] - want[i]));
            }
            assertTrue(worst <= Tolerances.FLOAT32, "cross-attention weights: max |ggml - reference| = " + worst);
        }
    }

    private static void check(EncoderDecoderSpec spec) {
        int[] input = {5, 9, 2, 33, 17, 40, 1, 60, 12, 3, 7, 21, 50, 8, 30, 11, 19, 25, 4, 6};
        int[] output = {0, 14, 3, 3, 52, 27, 9, 18, 22, 2, 63, 35, 44, 13, 29, 31, 10, 16};
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, 7)) {
            Logits actual;
            try (var session = model.decoder(model.encode(input))) {
                actual = session.feed(output);
            }
            ReferenceEncoderDecoder reference = ReferenceEncoderDecoder.of(model);
            double[][] expected = reference.decode(reference.encode(input), output);
            double error = Tolerances.relativeError(actual, expected);
            double tolerance = Tolerances.logits(spec.decoder());
            assertTrue(error <= tolerance, spec.name() + " " + spec.ffn() + ": max |ggml - reference| / rms = "
                    + error + " > " + tolerance);
        }
    }
}
