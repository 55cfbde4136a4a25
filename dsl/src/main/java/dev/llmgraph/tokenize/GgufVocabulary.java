package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufWriter;

/**
 * A vocabulary that writes itself into a GGUF file in llama.cpp's conventions, so that libllama
 * tokenizes with it: into a vocabulary-only file ({@code writeVocabulary}) or into a model's file
 * ({@code GgufModels.write(model, path, vocabulary)}), whose vocabSize must then be {@link #size()}.
 */
public interface GgufVocabulary {
    /** Number of tokens; ids run from 0 to {@code size() - 1}. */
    int size();

    /** Adds the {@code tokenizer.ggml.*} keys of this vocabulary to a file being written. */
    void writeTo(GgufWriter out);

    /** This vocabulary with {@code template} as the file's chat template ({@code tokenizer.chat_template}). */
    default GgufVocabulary withChatTemplate(String template) {
        GgufVocabulary vocabulary = this;
        return new GgufVocabulary() {
            @Override
            public int size() {
                return vocabulary.size();
            }

            @Override
            public void writeTo(GgufWriter out) {
                vocabulary.writeTo(out);
                out.putString("tokenizer.chat_template", template);
            }
        };
    }
}
