package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufWriter;

/**
 * A trained vocabulary that writes itself into a GGUF file in llama.cpp's conventions, so that libllama
 * tokenizes with it: into a vocabulary-only file ({@code writeVocabulary}) or into a model's file
 * ({@code GgufModels.write(model, path, vocabulary)}), whose vocabSize must then be {@link #size()}.
 */
public interface GgufVocabulary {
    /** Number of tokens; ids run from 0 to {@code size() - 1}. */
    int size();

    /** Adds the {@code tokenizer.ggml.*} keys of this vocabulary to a file being written. */
    void writeTo(GgufWriter out);
}
