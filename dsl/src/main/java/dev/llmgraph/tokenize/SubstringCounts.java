package dev.llmgraph.tokenize;

import java.util.Arrays;

/** Per node of a substring trie: how often its substring occurs, its parent, last code point and length. */
final class SubstringCounts {
    private long[] counts = new long[1024];
    private int[] parents = new int[1024];
    private int[] codePoints = new int[1024];
    private int[] lengths = new int[1024];

    /** Adds {@code count} occurrences to {@code node}, the child of {@code parent} by {@code codePoint}. */
    void add(int node, int parent, int codePoint, int length, long count) {
        if (node >= counts.length) {
            int size = Math.max(node + 1, counts.length * 2);
            counts = Arrays.copyOf(counts, size);
            parents = Arrays.copyOf(parents, size);
            codePoints = Arrays.copyOf(codePoints, size);
            lengths = Arrays.copyOf(lengths, size);
        }
        counts[node] += count;
        parents[node] = parent;
        codePoints[node] = codePoint;
        lengths[node] = length;
    }

    long count(int node) {
        return node < counts.length ? counts[node] : 0;
    }

    int parent(int node) {
        return parents[node];
    }

    /** Length in code points. */
    int length(int node) {
        return lengths[node];
    }

    /** The substring of {@code node}, read back from the root. */
    String text(int node) {
        int[] text = new int[lengths[node]];
        for (int i = text.length - 1; i >= 0; i--, node = parents[node]) {
            text[i] = codePoints[node];
        }
        return new String(text, 0, text.length);
    }
}
