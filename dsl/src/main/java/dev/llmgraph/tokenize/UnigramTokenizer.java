package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * A Unigram tokenizer as SentencePiece defines it: every piece has a score (its log-probability), and a text
 * is cut into the pieces whose scores sum highest (Viterbi over the lattice of all pieces that match).
 * Before that the text is normalised as llama.cpp's {@code t5} (UGM) tokenizer does when its file has no
 * precompiled character map: each space (U+0020, and only that character) becomes {@code ▁} (U+2581), and
 * one {@code ▁} is put before the first character that is not a space.
 * <pre>
 *   "It's  two"  ->  "▁It's▁▁two"  ->  ▁It | 's | ▁ | ▁two     (the highest-scoring of all cuttings)
 * </pre>
 * A character without a piece becomes {@code <unk>} (scored 10 below the lowest piece), and a run of them
 * one {@code <unk>}; llama.cpp does the same.
 *
 * <p>Ids 0 to 2 are {@code <pad> </s> <unk>} (T5's layout), the pieces follow. {@link #writeVocabulary(Path)}
 * writes a vocabulary GGUF ({@code tokenizer.ggml.model = t5}) that libllama encodes with, and tests check
 * that it gives the same ids as {@link #encode(String)}.
 */
public final class UnigramTokenizer implements GgufVocabulary {
    /** Stands for a space, and marks a word start, inside pieces. */
    public static final char SPACE = '\u2581';
    public static final List<String> SPECIAL_TOKENS = List.of("<pad>", "</s>", "<unk>");
    static final int PAD = 0, END = 1, UNKNOWN = 2;

    private final List<String> tokens;
    private final float[] scores;
    /** The same vocabulary as a published one, which encodes it. */
    private final SentencePieceUnigram asPublished;

    /**
     * @param pieces the pieces after the three special tokens, in id order, spaces written as {@code ▁}
     * @param scores the pieces' log-probabilities, one per piece
     */
    public UnigramTokenizer(List<String> pieces, float[] scores) {
        if (pieces.size() != scores.length) {
            throw new IllegalArgumentException(pieces.size() + " pieces but " + scores.length + " scores; give one "
                    + "score per piece");
        }
        var seen = new HashSet<String>(SPECIAL_TOKENS);
        for (int i = 0; i < pieces.size(); i++) {
            String piece = pieces.get(i);
            TextChecks.requireWellFormed(piece, "piece " + i);
            if (piece.isEmpty() || !seen.add(piece)) {
                throw new IllegalArgumentException("piece " + i + " is '" + piece + "'; pieces must be non-empty, "
                        + "unique and differ from " + SPECIAL_TOKENS);
            }
        }
        List<String> all = new ArrayList<>(SPECIAL_TOKENS);
        all.addAll(pieces);
        this.tokens = List.copyOf(all);
        this.scores = new float[tokens.size()];
        System.arraycopy(scores, 0, this.scores, SPECIAL_TOKENS.size(), scores.length);
        List<TokenKind> kinds = new ArrayList<>(List.of(TokenKind.SPECIAL, TokenKind.SPECIAL, TokenKind.SPECIAL));
        kinds.addAll(java.util.Collections.nCopies(pieces.size(), TokenKind.NORMAL));
        this.asPublished = new SentencePieceUnigram(tokens, kinds, this.scores,
                new SentencePieceUnigram.Rules(true, false), null, UNKNOWN,
                new SentencePieceUnigram.Markers(-1, END, false, false));
    }

    public int size() {
        return tokens.size();
    }

    /** The tokens in id order. */
    public List<String> tokens() {
        return tokens;
    }

    /** The score (log-probability) of token {@code id}; 0 for the special tokens. */
    public float score(int id) {
        return scores[id];
    }

    /** {@code text} as the encoder sees it: spaces as {@code ▁}, one {@code ▁} before the first non-space. */
    public static String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length() + 1);
        boolean prefixed = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                out.append(SPACE);
            } else {
                if (!prefixed) {
                    out.append(SPACE);
                    prefixed = true;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The ids of {@code text}: the highest-scoring cutting of its normal form, without {@code </s>} (Viterbi as
     * llama.cpp's, in {@link SentencePieceUnigram}, the kind a published vocabulary is read as).
     */
    public int[] encode(String text) {
        TextChecks.requireWellFormed(text, "the text");
        return asPublished.encode(text);
    }

    /**
     * The text of {@code ids}: pieces joined, {@code ▁} read as a space, the space {@link #normalize} put before
     * the first word taken away again; special tokens read as their names.
     */
    public String decode(int... ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= tokens.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside this tokenizer's " + tokens.size()
                        + " tokens (ids 0 to " + (tokens.size() - 1) + ")");
            }
            sb.append(id < SPECIAL_TOKENS.size() ? tokens.get(id) : tokens.get(id).replace(SPACE, ' '));
        }
        for (int i = 0; i < sb.length(); i++) {
            if (sb.charAt(i) != ' ') {
                if (i > 0) {
                    sb.deleteCharAt(i - 1);
                }
                break;
            }
        }
        return sb.toString();
    }

    /**
     * Adds this tokenizer's keys to a GGUF being written: model {@code t5} with tokens, scores, token types,
     * the special ids, and the normalisation {@link #normalize} describes (space prefix on, extra spaces kept,
     * no precompiled character map); no {@code </s>} is added by libllama's encoder either.
     */
    public void writeTo(GgufWriter out) {
        out.putString("tokenizer.ggml.model", "t5");
        out.putStrings("tokenizer.ggml.tokens", tokens);
        out.put("tokenizer.ggml.scores", GgufValue.float32s(scores));
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1); // llama_token_type: normal
        types[PAD] = 3; // control
        types[END] = 3;
        types[UNKNOWN] = 2; // unknown
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        out.putUint32("tokenizer.ggml.padding_token_id", PAD);
        out.putUint32("tokenizer.ggml.eos_token_id", END);
        out.putUint32("tokenizer.ggml.unknown_token_id", UNKNOWN);
        out.putBool("tokenizer.ggml.add_space_prefix", true);
        out.putBool("tokenizer.ggml.remove_extra_whitespaces", false);
        out.putBool("tokenizer.ggml.add_bos_token", false);
        out.putBool("tokenizer.ggml.add_eos_token", false);
    }

    /** Writes a vocabulary-only GGUF llama.cpp loads (a one-layer LLaMA shape, no tensors). */
    public long writeVocabulary(Path path) {
        GgufWriter out = VocabularyFile.llama("llmgraph Unigram, " + tokens.size() + " tokens", tokens.size());
        writeTo(out);
        return out.write(path);
    }

    @Override
    public String toString() {
        return "UnigramTokenizer(" + tokens.size() + " tokens: 3 special, " + (tokens.size() - 3) + " pieces)";
    }
}
