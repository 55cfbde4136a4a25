package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece-style vocabulary in a GGUF file, both ways, in llama.cpp's conventions, in either of its two forms
 * ({@link SentencePieceBpe.GgufForm}). Model {@code llama} holds a score per token, not merges: llama.cpp joins the
 * adjacent pair whose joined text is the token of highest score. Read, the merges are every split of a normal token
 * into two normal tokens, ranked by the token's score, highest first (ties in id order), as Hugging Face's converter
 * makes them from a SentencePiece model; written, each token's score is minus the rank of the first merge that makes
 * it. Model {@code gemma4} holds the merges themselves and puts no {@code ▁} before text.
 */
public final class GgufSentencePiece {
    private GgufSentencePiece() {}

    /** The tokenizer model of {@link SentencePieceBpe.GgufForm#MERGES}. */
    static final String GEMMA4 = "gemma4";

    /** The vocabulary of the GGUF file at {@code path}. */
    public static SentencePieceBpe read(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return read(file);
        }
    }

    /** The vocabulary of an open GGUF file. */
    public static SentencePieceBpe read(GgufFile file) {
        String where = file.path().getFileName() + ": ";
        String model = file.has("tokenizer.ggml.model") ? file.getString("tokenizer.ggml.model") : null;
        if (!"llama".equals(model) && !GEMMA4.equals(model)) {
            throw new IllegalArgumentException(where + (model == null ? "the file has no vocabulary (no "
                    + "tokenizer.ggml.model)" : "tokenizer.ggml.model is '" + model + "'; GgufSentencePiece reads "
                    + "SentencePiece-style vocabularies ('llama', 'gemma4'), GgufBpe byte-level BPE ones ('gpt2'); "
                    + "TextTokenizer.llama reads every kind"));
        }
        boolean merged = model.equals(GEMMA4);
        GgufKeys.Pieces pieces = GgufKeys.pieces(file, where, "SentencePiece",
                List.of(merged ? "tokenizer.ggml.merges" : "tokenizer.ggml.scores", "tokenizer.ggml.token_type"), !merged);
        List<String> tokens = pieces.tokens();
        List<TokenKind> kinds = pieces.kinds();
        try {
            // llama.cpp's defaults: 'llama' has ids 0, 1 and 2, 'gemma4' none
            int unknown = GgufKeys.id(file, "unknown", merged ? -1 : 0);
            int bos = GgufKeys.id(file, "bos", merged ? -1 : 1);
            int eos = GgufKeys.id(file, "eos", merged ? -1 : 2);
            // and llama.cpp adds Gemma 4's beginning-of-text token whatever the file says
            boolean addsBos = merged || GgufKeys.flag(file, "tokenizer.ggml.add_bos_token", true);
            boolean prefix = !merged && GgufKeys.flag(file, "tokenizer.ggml.add_space_prefix", true);
            var rules = new SentencePieceBpe.Rules(prefix ? SentencePieceBpe.Prefix.PREPEND
                    : SentencePieceBpe.Prefix.NONE, true, unknown < tokens.size() ? unknown : -1);
            return new SentencePieceBpe(tokens, kinds, merged ? file.getStringArray("tokenizer.ggml.merges")
                    : merges(tokens, kinds, pieces.scores()), rules,
                    new BpeVocabulary.Markers(bos, eos, addsBos && bos >= 0), merged ? SentencePieceBpe.GgufForm.MERGES : SentencePieceBpe.GgufForm.SCORES);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /** Every split of a normal token into two normal tokens, by the token's score, highest first. */
    static List<String> merges(List<String> tokens, List<TokenKind> kinds, float[] scores) {
        Map<String, Integer> normal = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (kinds.get(id) == TokenKind.NORMAL) {
                normal.put(tokens.get(id), id);
            }
        }
        record Split(float score, int token, int left, int right, String merge) {}
        List<Split> splits = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            String token = tokens.get(id);
            if (kinds.get(id) != TokenKind.NORMAL) {
                continue;
            }
            for (int at = token.isEmpty() ? 0 : token.offsetByCodePoints(0, 1); at < token.length();
                 at = token.offsetByCodePoints(at, 1)) {
                Integer left = normal.get(token.substring(0, at)), right = normal.get(token.substring(at));
                if (left != null && right != null) {
                    splits.add(new Split(scores[id], id, left, right, token.substring(0, at) + " " + token.substring(at)));
                }
            }
        }
        splits.sort(Comparator.comparingDouble((Split s) -> -s.score()).thenComparingInt(Split::token)
                .thenComparingInt(Split::left).thenComparingInt(Split::right));
        return splits.stream().map(Split::merge).toList();
    }

    /**
     * Adds {@code spm}'s keys to a GGUF being written: model {@code llama}, tokens, scores (minus the rank of the
     * first merge making each token; the lowest for tokens no merge makes), token types, the markers and
     * {@code add_space_prefix}. llama.cpp puts the {@code ▁} before every stretch of text, as
     * {@link SentencePieceBpe.Prefix#PREPEND}; a tokenizer with a {@code Metaspace} prefix differs from the file on a
     * text that starts with a space (llama.cpp puts a second {@code ▁} before it) and, for prepend_scheme first, on
     * text read after special-token text. In {@link SentencePieceBpe.GgufForm#MERGES}: model {@code gemma4} with the
     * merges too. Refused where llama.cpp would encode otherwise in every text: byte tokens that the tokenizer does
     * not fall back to, a {@code gemma4} vocabulary that adds no beginning-of-text token (llama.cpp adds one).
     */
    static void write(SentencePieceBpe spm, GgufWriter out) {
        if (!spm.rules().byteFallback() && spm.kinds().contains(TokenKind.BYTE)) {
            throw new IllegalArgumentException("the tokenizer has byte tokens but no byte fallback, and llama.cpp "
                    + "falls back to byte tokens wherever a vocabulary has them; a GGUF file of it would be tokenized "
                    + "otherwise");
        }
        boolean merged = spm.ggufForm() == SentencePieceBpe.GgufForm.MERGES;
        if (merged && !spm.markers().addsBos()) {
            throw new IllegalArgumentException("the tokenizer adds no beginning-of-text token, but llama.cpp adds one "
                    + "before every text of a 'gemma4' vocabulary; use GgufForm.SCORES");
        }
        List<String> tokens = spm.tokens();
        Map<String, Integer> firstRank = new HashMap<>();
        List<String> merges = spm.merges();
        for (int rank = 0; rank < merges.size(); rank++) {
            firstRank.putIfAbsent(merges.get(rank).replaceFirst(" ", ""), rank);
        }
        float[] scores = new float[tokens.size()];
        int[] types = new int[tokens.size()];
        for (int id = 0; id < tokens.size(); id++) {
            Integer rank = spm.kind(id) == TokenKind.NORMAL ? firstRank.get(tokens.get(id)) : null;
            scores[id] = rank != null ? -rank : spm.kind(id) == TokenKind.NORMAL ? -merges.size() : 0f;
            types[id] = id == spm.rules().unknown() ? 2 : spm.kind(id).llamaTokenType();
        }
        out.putString("tokenizer.ggml.model", merged ? GEMMA4 : "llama");
        out.putString("tokenizer.ggml.pre", merged ? GEMMA4 : "default");
        out.putStrings("tokenizer.ggml.tokens", tokens);
        if (merged) {
            out.putStrings("tokenizer.ggml.merges", merges);
        }
        out.put("tokenizer.ggml.scores", GgufValue.float32s(scores));
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        BpeVocabulary.Markers markers = spm.markers();
        putId(out, "bos", markers.bos());
        putId(out, "eos", markers.eos());
        putId(out, "unknown", spm.rules().unknown());
        out.putBool("tokenizer.ggml.add_bos_token", markers.addsBos());
        out.putBool("tokenizer.ggml.add_eos_token", false);
        out.putBool("tokenizer.ggml.add_space_prefix", spm.rules().prefix() != SentencePieceBpe.Prefix.NONE);
    }

    private static void putId(GgufWriter out, String name, int id) {
        if (id >= 0) {
            out.putUint32("tokenizer.ggml." + name + "_token_id", id);
        }
    }
}
