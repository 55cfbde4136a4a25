package dev.llmgraph.tokenize;

import java.util.Arrays;

/**
 * One word's lattice for Unigram training: every living piece that matches, as edges (start, end, piece),
 * with the log-sums over the paths to and from each position (forward-backward). Reused from word to word.
 */
final class UnigramLattice {
    int[] start = new int[64], end = new int[64], piece = new int[64];
    int edges;
    double[] alpha = new double[17], beta = new double[17];
    private int length;

    /** Positions are code point indices into {@code word}. */
    void build(int[] word, PieceTrie trie, boolean[] alive) {
        length = word.length;
        edges = 0;
        for (int i = 0; i < length; i++) {
            for (int node = PieceTrie.ROOT, e = i; e < length; ) {
                if ((node = trie.child(node, word[e++])) < 0) {
                    break;
                }
                int id = trie.piece(node);
                if (id >= 0 && alive[id]) {
                    add(i, e, id);
                }
            }
        }
    }

    private void add(int s, int e, int id) {
        if (edges == start.length) {
            start = Arrays.copyOf(start, edges * 2);
            end = Arrays.copyOf(end, edges * 2);
            piece = Arrays.copyOf(piece, edges * 2);
        }
        start[edges] = s;
        end[edges] = e;
        piece[edges++] = id;
    }

    /** Fills alpha (log-sum of the paths to each position) and beta (from it to the end); returns log Z. */
    double forwardBackward(double[] logProbs) {
        if (alpha.length < length + 1) {
            alpha = new double[2 * length + 1];
            beta = new double[2 * length + 1];
        }
        Arrays.fill(alpha, 0, length + 1, Double.NEGATIVE_INFINITY);
        Arrays.fill(beta, 0, length + 1, Double.NEGATIVE_INFINITY);
        alpha[0] = 0;
        beta[length] = 0;
        for (int e = 0; e < edges; e++) { // edges are in order of start, so alpha[start] is complete
            alpha[end[e]] = logAdd(alpha[end[e]], alpha[start[e]] + logProbs[piece[e]]);
        }
        for (int e = edges - 1; e >= 0; e--) {
            beta[start[e]] = logAdd(beta[start[e]], beta[end[e]] + logProbs[piece[e]]);
        }
        return alpha[length];
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
}
