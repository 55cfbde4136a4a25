package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.util.Optional;

/**
 * A vocabulary that writes itself into a GGUF file in llama.cpp's conventions, so that libllama
 * tokenizes with it: into a vocabulary-only file ({@code writeVocabulary}) or into a model's file
 * ({@code GgufModels.write(model, path, vocabulary)}), whose vocabSize must then be {@link #size()}.
 */
public interface GgufVocabulary {
    /** The GGUF vocabularies ({@code tokenizer.ggml.model}) llmgraph reads in Java, in words: "'gpt2', ... and 't5'". */
    String READ_IN_JAVA = "'gpt2', 'llama', 'gemma4', 'bert' and 't5'";

    /**
     * The vocabulary of an open GGUF file as llmgraph's Java tokenizer of its kind: a {@link BpeVocabulary} ({@code gpt2},
     * {@code llama}, {@code gemma4}), a {@link WordPieceTokenizer} ({@code bert}) or a {@link SentencePieceUnigram}
     * ({@code t5}); empty where the file has no vocabulary or one of another kind ({@link #READ_IN_JAVA}).
     */
    static Optional<GgufVocabulary> read(GgufFile file) {
        String model = file.has("tokenizer.ggml.model") ? file.getString("tokenizer.ggml.model") : "";
        return Optional.ofNullable(switch (model) {
            case "gpt2", "llama", "gemma4" -> BpeVocabulary.readGguf(file);
            case "bert" -> WordPieceTokenizer.readGguf(file);
            case "t5" -> SentencePieceUnigram.readGguf(file);
            default -> null;
        });
    }

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
