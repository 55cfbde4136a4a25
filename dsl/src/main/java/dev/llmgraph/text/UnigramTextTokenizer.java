package dev.llmgraph.text;

import dev.llmgraph.tokenize.SentencePieceUnigram;

import java.util.Optional;

/**
 * A SentencePiece Unigram encoded in Java ({@link SentencePieceUnigram}: T5's, XLM-RoBERTa's; read from a
 * tokenizer.json or a GGUF file) as a model's tokenizer: with {@code addSpecial} the tokens the vocabulary puts around
 * a text ({@code </s>} after it for T5), generation ending at its end-of-text token.
 */
public final class UnigramTextTokenizer implements TextTokenizer {
    private final SentencePieceUnigram unigram;

    UnigramTextTokenizer(SentencePieceUnigram unigram) {
        this.unigram = unigram;
    }

    /** The Java tokenizer itself. */
    public SentencePieceUnigram unigram() {
        return unigram;
    }

    @Override
    public int size() {
        return unigram.size();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return addSpecial ? unigram.encodeForModel(text, parseSpecial) : unigram.encode(text, parseSpecial);
    }

    @Override
    public byte[] pieceBytes(int id) {
        return unigram.pieceBytes(id);
    }

    @Override
    public int[] endOfGeneration() {
        int eos = unigram.markers().eos();
        return eos >= 0 ? new int[] {eos} : new int[0];
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Java " + unigram;
    }
}
