package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * What only an encoder-decoder decides: the two stacks' depths, the token decoding starts from, the relative bias
 * both stacks use and T5's rescaled head. Everything a stack shares with other specs (widths, heads, the FFN, the
 * norm) is checked by that stack's own rules.
 */
final class EncoderDecoderRules {
    private EncoderDecoderRules() {}

    static List<SpecProblem> check(int encoderLayers, int decoderLayers, int vocabSize, Ffn ffn,
                                   Positional.T5Bias relativeBias, boolean tied, boolean rescaledHead,
                                   int decoderStartToken) {
        List<SpecProblem> problems = new ArrayList<>();
        if (encoderLayers < 1) {
            problems.add(new SpecProblem("encoderLayers", encoderLayers, "must be at least 1: an encoder-decoder "
                    + "reads its input with the encoder", "T5-small uses 6; with no encoder, build a "
                    + "Transformer.causalDecoder"));
        }
        if (decoderLayers < 1) {
            problems.add(new SpecProblem("decoderLayers", decoderLayers, "must be at least 1: an encoder-decoder "
                    + "writes its output with the decoder", "T5-small uses 6; with no decoder, build a "
                    + "Transformer.encoder (llama.cpp's t5encoder)"));
        }
        if (ffn == null) {
            problems.add(new SpecProblem("ffn", null, "the feed-forward network must be set",
                    "T5: Ffn.mlp(2048, Activation.RELU); Flan-T5: Ffn.geglu(2048).withActivation(GELU_TANH)"));
        }
        if (relativeBias == null) {
            problems.add(new SpecProblem("relativeBias", null, "an encoder-decoder here places tokens by T5's "
                    + "relative bias", "Positional.t5Bias(32, 128)"));
        }
        if (vocabSize >= 1 && (decoderStartToken < 0 || decoderStartToken >= vocabSize)) {
            problems.add(new SpecProblem("decoderStartToken", decoderStartToken, "must be a token id below vocabSize "
                    + "= " + vocabSize + ": every decoded sequence begins with it", "T5 uses 0 (its padding token)"));
        }
        if (rescaledHead && !tied) {
            problems.add(new SpecProblem("rescaledHead", true, "T5 multiplies the decoder's output by dModel^-0.5 "
                    + "only when the output head is the tied token embedding", "tiedEmbeddings(true) as T5 v1.0, or "
                    + "rescaledHead(false) as T5 v1.1 and Flan-T5"));
        }
        return problems;
    }
}
