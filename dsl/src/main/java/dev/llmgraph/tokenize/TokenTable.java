package dev.llmgraph.tokenize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A vocabulary's tokens and their kinds, as the Java BPEs ({@link BpeTokenizer}, {@link SentencePieceBpe}) and
 * {@link WordPieceTokenizer} hold them: the normal tokens by text, for the merges, and the added and special tokens
 * by first character, for reading them where they stand in a text.
 */
final class TokenTable {
    /** Encodes the text between two added or special tokens; {@code start} is where it starts in the whole text. */
    interface Between {
        void encode(String text, int start, List<Integer> out);
    }

    final List<String> tokens;
    final TokenKind[] kinds;
    /** The normal tokens' ids. */
    final Map<String, Integer> normalIds = new HashMap<>();
    final List<Integer> specialIds;
    /** Added and special tokens by their first character, the longest first (Qwen2's GGUF has 290 "[PAD..." added). */
    private final Map<Character, List<Integer>> addedByFirstChar, specialByFirstChar;

    TokenTable(List<String> tokens, List<TokenKind> kinds) {
        if (kinds.size() != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + kinds.size() + " token kinds; "
                    + "give one kind per token");
        }
        this.tokens = List.copyOf(tokens);
        this.kinds = kinds.toArray(TokenKind[]::new);
        Map<String, Integer> all = new HashMap<>();
        for (int id = 0; id < this.tokens.size(); id++) {
            Integer before = all.putIfAbsent(this.tokens.get(id), id);
            if (before != null) {
                throw new IllegalArgumentException("token '" + this.tokens.get(id) + "' (id " + id + ") is already token "
                        + before + "; tokens must be unique");
            }
            if (this.kinds[id] == TokenKind.NORMAL) {
                normalIds.put(this.tokens.get(id), id);
            }
        }
        this.specialIds = idsOf(TokenKind.SPECIAL);
        this.addedByFirstChar = byFirstChar(idsOf(TokenKind.ADDED));
        this.specialByFirstChar = byFirstChar(specialIds);
    }

    int size() {
        return tokens.size();
    }

    List<TokenKind> kinds() {
        return List.of(kinds);
    }

    List<Integer> idsOf(TokenKind kind) {
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < kinds.length; id++) {
            if (kinds[id] == kind) {
                out.add(id);
            }
        }
        return out;
    }

    /** {@code matched} by their text's first character, the longest first; an empty text matches nowhere. */
    private Map<Character, List<Integer>> byFirstChar(List<Integer> matched) {
        return matched.stream().filter(id -> !tokens.get(id).isEmpty())
                .sorted(Comparator.comparingInt((Integer id) -> -tokens.get(id).length()))
                .collect(Collectors.groupingBy(id -> tokens.get(id).charAt(0)));
    }

    /** The special tokens' text, in id order. */
    List<String> specialTokens() {
        return specialIds.stream().map(tokens::get).toList();
    }

    int specialId(String token) {
        for (int id : specialIds) {
            if (tokens.get(id).equals(token)) {
                return id;
            }
        }
        throw new IllegalArgumentException("'" + token + "' is not a special token of this tokenizer; its "
                + "special tokens are " + specialTokens());
    }

    /** {@code tokens} with {@code size - size()} unused tokens {@code [PAD<id>]} after them; the same for kinds. */
    List<String> paddedTokens(int size) {
        if (size < tokens.size()) {
            throw new IllegalArgumentException("cannot pad " + tokens.size() + " tokens to " + size + "; a vocabulary "
                    + "only grows");
        }
        List<String> padded = new ArrayList<>(tokens);
        for (int id = tokens.size(); id < size; id++) {
            padded.add("[PAD" + id + "]");
        }
        return padded;
    }

    List<TokenKind> paddedKinds(int size) {
        List<TokenKind> padded = new ArrayList<>(kinds());
        while (padded.size() < size) {
            padded.add(TokenKind.UNUSED);
        }
        return padded;
    }

    void requireMarkers(BpeVocabulary.Markers markers) {
        for (int id : new int[] {markers.bos(), markers.eos()}) {
            requireIdOrNone(id, "marker token");
        }
        if (markers.addsBos() && markers.bos() < 0) {
            throw new IllegalArgumentException("the tokenizer adds a beginning-of-text token but has none; name it");
        }
    }

    void requireIdOrNone(int id, String what) {
        if (id < -1 || id >= tokens.size()) {
            throw new IllegalArgumentException(what + " " + id + " is outside the " + tokens.size() + " tokens (ids 0 "
                    + "to " + (tokens.size() - 1) + ", or -1 for none)");
        }
    }

    void requireId(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside this tokenizer's " + tokens.size()
                    + " tokens (ids 0 to " + (tokens.size() - 1) + ")");
        }
    }

    /**
     * The ids of {@code text}: its added tokens (and with {@code parseSpecial} its special ones first) as themselves,
     * the longest at each place, and {@code between} on the text between them.
     */
    int[] encode(String text, boolean parseSpecial, Between between) {
        TextChecks.requireWellFormed(text, "the text");
        List<Integer> out = new ArrayList<>();
        if (parseSpecial) {
            cut(text, 0, specialByFirstChar, (part, start, ids) -> cut(part, start, addedByFirstChar, between, ids), out);
        } else {
            cut(text, 0, addedByFirstChar, between, out);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tokens of {@code index} where they stand in {@code text}, and {@code between} on the text between them. */
    private void cut(String text, int offset, Map<Character, List<Integer>> index, Between between, List<Integer> out) {
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            int id = longestAt(index, text, i);
            if (id < 0) {
                i++;
                continue;
            }
            between.encode(text.substring(start, i), offset + start, out);
            out.add(id);
            i += tokens.get(id).length();
            start = i;
        }
        between.encode(text.substring(start), offset + start, out);
    }

    private int longestAt(Map<Character, List<Integer>> index, String text, int at) {
        for (int id : index.getOrDefault(text.charAt(at), List.of())) {
            if (text.startsWith(tokens.get(id), at)) {
                return id;
            }
        }
        return -1;
    }
}
