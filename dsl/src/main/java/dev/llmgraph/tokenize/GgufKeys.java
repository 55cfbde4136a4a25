package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tokenizer.ggml.*} keys that llama.cpp's SentencePiece-style vocabularies share, read and checked alike
 * ({@link GgufSentencePiece}, {@link GgufUnigram}): the tokens, each one's kind, their scores where the vocabulary
 * keeps them, and the special ids and flags with llama.cpp's defaults where the file is silent.
 */
final class GgufKeys {
    private GgufKeys() {}

    /** The tokens of a vocabulary, each one's kind, and its scores (null where not asked for). */
    record Pieces(List<String> tokens, List<TokenKind> kinds, float[] scores) {}

    /**
     * The pieces of {@code file}'s vocabulary, a {@code kind} one ("SentencePiece", "Unigram"), which must hold the
     * {@code required} keys; its scores where {@code withScores}. Refusals start with {@code where}.
     */
    static Pieces pieces(GgufFile file, String where, String kind, List<String> required, boolean withScores) {
        for (String key : required) {
            if (!file.has(key)) {
                throw new IllegalArgumentException(where + "the vocabulary has no " + key + ", which a " + kind
                        + " vocabulary needs");
            }
        }
        List<String> tokens = file.getStringArray("tokenizer.ggml.tokens");
        int[] types = file.getIntArray("tokenizer.ggml.token_type");
        float[] scores = withScores ? file.getFloatArray("tokenizer.ggml.scores") : null;
        if (types.length != tokens.size() || withScores && scores.length != tokens.size()) {
            throw new IllegalArgumentException(where + tokens.size() + " tokens but " + (withScores ? scores.length
                    + " scores and " : "") + types.length + " token types; give one " + (withScores ? "of each " : "")
                    + "per token");
        }
        List<TokenKind> kinds = new ArrayList<>(tokens.size());
        try {
            for (int id = 0; id < tokens.size(); id++) {
                kinds.add(TokenKind.ofLlamaTokenType(types[id], id));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
        return new Pieces(tokens, kinds, scores);
    }

    /** {@code tokenizer.ggml.NAME_token_id}, or {@code otherwise} where the file has none. */
    static int id(GgufFile file, String name, int otherwise) {
        String key = "tokenizer.ggml." + name + "_token_id";
        return file.has(key) ? file.getInt(key) : otherwise;
    }

    /** A boolean key, or {@code otherwise} where the file has none. */
    static boolean flag(GgufFile file, String key, boolean otherwise) {
        return file.has(key) ? file.getBool(key) : otherwise;
    }
}
