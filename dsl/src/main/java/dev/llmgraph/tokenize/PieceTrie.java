package dev.llmgraph.tokenize;

import java.util.Arrays;

/**
 * The pieces of a vocabulary as a trie over code points, so that every piece starting at one position of a
 * text is found in one walk, shortest first (the order in which llama.cpp's Unigram encoder visits them).
 * <pre>{@code
 * for (int node = PieceTrie.ROOT, end = i; end < text.length(); ) {
 *     int c = text.codePointAt(end);
 *     end += Character.charCount(c);
 *     if ((node = trie.child(node, c)) < 0) break;
 *     if (trie.piece(node) >= 0) { ... piece trie.piece(node) covers text[i, end) ... }
 * }
 * }</pre>
 */
final class PieceTrie {
    static final int ROOT = 0;

    /** (node << 21 | code point) -> child node. */
    private final LongIntMap children = new LongIntMap();
    /** node -> piece id, or -1 where no piece ends. */
    private int[] pieces = {-1};
    private int nodes = 1;

    /** Adds {@code piece} as {@code id}; a piece added twice keeps its first id. */
    void add(String piece, int id) {
        int node = ROOT;
        for (int i = 0; i < piece.length(); ) {
            int c = piece.codePointAt(i);
            i += Character.charCount(c);
            node = childOrNew(node, c);
        }
        if (pieces[node] < 0) {
            pieces[node] = id;
        }
    }

    /** The child of {@code node} for {@code c}, made if missing. */
    int childOrNew(int node, int c) {
        long key = (long) node << 21 | c;
        int next = children.get(key);
        if (next < 0) {
            next = nodes++;
            children.put(key, next);
            if (next >= pieces.length) {
                int old = pieces.length;
                pieces = Arrays.copyOf(pieces, old * 2);
                Arrays.fill(pieces, old, pieces.length, -1);
            }
        }
        return next;
    }

    /** The node reached from {@code node} by code point {@code c}, or -1. */
    int child(int node, int c) {
        return children.get((long) node << 21 | c);
    }

    /** The id of the piece that ends at {@code node}, or -1. */
    int piece(int node) {
        return pieces[node];
    }

    /** Number of nodes, the root included. */
    int nodes() {
        return nodes;
    }
}
