package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * The smallest tokenizer llama.cpp loads for a model of {@code vocabSize} tokens ({@code llama_vocab::load} in
 * {@code src/llama-vocab.cpp}; the list of what is needed is in {@code LlamaReference}'s Javadoc). The
 * vocabulary size is what every output-sized tensor is checked against.
 * <ul>
 *   <li>256 tokens or more: GPT-2's byte-level BPE with no merges. Token i &lt; 256 is byte i, written in GPT-2's
 *       byte-level alphabet ({@link dev.llmgraph.tokenize.ByteLevel}); the rest are placeholders {@code <|unused_N|>}. Every text encodes, byte by byte.</li>
 *   <li>fewer: {@code tokenizer.ggml.model = "none"} with {@code <arch>.vocab_size}: token ids only. (A
 *       SentencePiece vocabulary would need all 256 byte tokens too: llama.cpp aborts when a text needs a
 *       missing one.)</li>
 * </ul>
 * Token ids are what llmgraph's random models are compared on; text is a bonus.
 */
final class MinimalVocabulary {
    static final int BYTES = 256;

    private MinimalVocabulary() {}

    static void write(GgufWriter out, String architecture, int vocabSize) {
        if (vocabSize < BYTES) {
            out.putString("tokenizer.ggml.model", "none");
            out.putUint32(architecture + ".vocab_size", vocabSize);
            return;
        }
        out.putString("tokenizer.ggml.model", "gpt2");
        out.putString("tokenizer.ggml.pre", "default");
        out.putStrings("tokenizer.ggml.tokens", tokens(vocabSize));
        out.putStrings("tokenizer.ggml.merges", List.of());
    }

    static List<String> tokens(int vocabSize) {
        List<String> tokens = new ArrayList<>(dev.llmgraph.tokenize.ByteLevel.alphabet());
        for (int i = BYTES; i < vocabSize; i++) {
            tokens.add("<|unused_" + (i - BYTES) + "|>");
        }
        return tokens;
    }
}
