package dev.llmgraph.tokenize;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pieces of a vocabulary as a trie over UTF-16 chars, so that every piece starting at one position of a
 * text is found in one walk, shortest first (the order in which llama.cpp's Unigram encoder visits them).
 * <pre>{@code
 * for (int node = trie.child(PieceTrie.ROOT, text.charAt(i)), end = i + 1; node >= 0; ) {
 *     if (trie.piece(node) >= 0) { ... piece trie.piece(node) covers text[i, end) ... }
 *     node = end < text.length() ? trie.child(node, text.charAt(end++)) : -1;
 * }
 * }</pre>
 */
final class PieceTrie {
    static final int ROOT = 0;

    /** (node << 16 | char) -> child node. */
    private final Map<Long, Integer> children = new HashMap<>();
    /** node -> piece id, or -1 where no piece ends. */
    private int[] pieces = {-1};

    /** A trie of {@code pieces}, piece i found as id {@code firstId + i}; a piece listed twice keeps its first id. */
    PieceTrie(List<String> pieces, int firstId) {
        for (int i = 0; i < pieces.size(); i++) {
            add(pieces.get(i), firstId + i);
        }
    }

    private void add(String piece, int id) {
        int node = ROOT;
        for (int i = 0; i < piece.length(); i++) {
            long key = (long) node << 16 | piece.charAt(i);
            Integer next = children.get(key);
            if (next == null) {
                next = children.size() + 1;
                children.put(key, next);
                if (next >= pieces.length) {
                    int old = pieces.length;
                    pieces = Arrays.copyOf(pieces, old * 2);
                    Arrays.fill(pieces, old, pieces.length, -1);
                }
            }
            node = next;
        }
        if (pieces[node] < 0) {
            pieces[node] = id;
        }
    }

    /** The node reached from {@code node} by {@code c}, or -1. */
    int child(int node, char c) {
        Integer next = children.get((long) node << 16 | c);
        return next == null ? -1 : next;
    }

    /** The id of the piece that ends at {@code node}, or -1. */
    int piece(int node) {
        return pieces[node];
    }
}
