package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What only an encoder-decoder decides: the two stacks' depths, the token decoding starts from, the relative bias
 * both stacks use and T5's rescaled head. Everything a stack shares with other specs (widths, heads, the FFN, the
 * norm) is checked by that stack's own rules.
 */
final class EncoderDecoderRules {
    private EncoderDecoderRules() {}

    /** The encoder's depth: at least 1 (and no deeper than any stack may be). */
    static Optional<SpecProblem> encoderLayers(int layers) {
        if (layers < 1) {
            return Optional.of(new SpecProblem("encoderLayers", layers, "must be at least 1: an encoder-decoder "
                    + "reads its input with the encoder", "T5-small uses 6; with no encoder, build a "
                    + "Transformer.causalDecoder"));
        }
        return FieldRules.layers(layers).map(p -> new SpecProblem("encoderLayers", p.value(), p.rule(), p.hint()));
    }

    /** The decoder's depth: at least 1 (and no deeper than any stack may be). */
    static Optional<SpecProblem> decoderLayers(int layers) {
        if (layers < 1) {
            return Optional.of(new SpecProblem("decoderLayers", layers, "must be at least 1: an encoder-decoder "
                    + "writes its output with the decoder", "T5-small uses 6; with no decoder, build a "
                    + "Transformer.encoder (llama.cpp's t5encoder)"));
        }
        return FieldRules.layers(layers).map(p -> new SpecProblem("decoderLayers", p.value(), p.rule(), p.hint()));
    }

    /** The start token: an id, so not negative (its bound, the vocabulary, is checked with the whole spec). */
    static Optional<SpecProblem> decoderStartToken(int token) {
        return token < 0 ? Optional.of(new SpecProblem("decoderStartToken", token, "must be a token id (0 or more): "
                + "every decoded sequence begins with it", "T5 uses 0 (its padding token)")) : Optional.empty();
    }

    static List<SpecProblem> check(int encoderLayers, int decoderLayers, int vocabSize, Ffn ffn,
                                   Positional.T5Bias relativeBias, boolean tied, boolean rescaledHead,
                                   int decoderStartToken) {
        List<SpecProblem> problems = new ArrayList<>();
        encoderLayers(encoderLayers).ifPresent(problems::add);
        decoderLayers(decoderLayers).ifPresent(problems::add);
        if (ffn == null) {
            problems.add(new SpecProblem("ffn", null, "the feed-forward network must be set",
                    "T5: Ffn.mlp(2048, Activation.RELU); Flan-T5: Ffn.geglu(2048).withActivation(GELU_TANH)"));
        }
        if (relativeBias == null) {
            problems.add(new SpecProblem("relativeBias", null, "an encoder-decoder here places tokens by T5's "
                    + "relative bias", "Positional.t5Bias(32, 128)"));
        }
        decoderStartToken(decoderStartToken).ifPresent(problems::add);
        if (vocabSize >= 1 && decoderStartToken >= vocabSize) {
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
