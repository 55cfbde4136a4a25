package dev.llmgraph.text;

import dev.llmgraph.ggml.llama.Tokenizer;

import java.util.Optional;
import java.util.stream.IntStream;

/** A {@link TextTokenizer} that is libllama's tokenizer on a GGUF file's vocabulary. */
final class LlamaTextTokenizer implements TextTokenizer {
    private final Tokenizer tokenizer;
    private int[] endOfGeneration;

    LlamaTextTokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public int size() {
        return tokenizer.size();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return tokenizer.encode(text, addSpecial, parseSpecial);
    }

    @Override
    public byte[] pieceBytes(int id) {
        return tokenizer.pieceBytes(id);
    }

    /** llama.cpp's own set: its end-of-sequence id and the end-of-turn tokens it recognises in the vocabulary. */
    @Override
    public int[] endOfGeneration() {
        if (endOfGeneration == null) {
            endOfGeneration = IntStream.range(0, tokenizer.size()).filter(tokenizer::isEndOfGeneration).toArray();
        }
        return endOfGeneration.clone();
    }

    @Override
    public Optional<String> chatTemplate() {
        return tokenizer.chatTemplate();
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "libllama's " + tokenizer;
    }
}
