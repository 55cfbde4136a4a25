package dev.llmgraph.tokenize;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every word's lattice for Unigram training: the pieces that match at each position of each word, as edges
 * (start, end, piece) in order of start, then end. Walking the trie to find them is the costly part of an
 * E-step, so they are found once and read by the E-steps and the Viterbi pass that follow; pieces that have died
 * since are skipped where the edges are read, which gives the same sums, in the same order, as walking again.
 *
 * <p>The words are split into {@link #CHUNKS} fixed chunks, processed in parallel and added up in chunk order,
 * so the results are the same on any number of cores.
 */
final class WordLattices {
    /** Chunks of words processed in parallel; fixed, so that sums do not depend on the machine. */
    static final int CHUNKS = 8;

    private final int[][] words;
    private final long[] counts;
    private final Chunk[] chunks;

    /** The edges of words [from, to): word w's are [first[w - from], first[w - from + 1]). */
    private record Chunk(int from, int to, int[] first, int[] start, int[] end, int[] piece) {}

    /** The E-step's result: each piece's expected uses, and the corpus' log-likelihood. */
    record Expectation(double[] counts, double logLikelihood) {}

    /** Finds the living pieces of {@code trie} in every word. */
    WordLattices(int[][] words, long[] counts, PieceTrie trie, boolean[] alive) {
        this.words = words;
        this.counts = counts;
        this.chunks = IntStream.range(0, CHUNKS).parallel().mapToObj(c -> chunk(c, trie, alive))
                .toArray(Chunk[]::new);
    }

    private Chunk chunk(int c, PieceTrie trie, boolean[] alive) {
        int from = (int) ((long) words.length * c / CHUNKS), to = (int) ((long) words.length * (c + 1) / CHUNKS);
        int[] first = new int[to - from + 1];
        int[] start = new int[1024], end = new int[1024], piece = new int[1024];
        int edges = 0;
        for (int w = from; w < to; w++) {
            first[w - from] = edges;
            int[] word = words[w];
            for (int i = 0; i < word.length; i++) {
                for (int node = PieceTrie.ROOT, e = i; e < word.length; ) {
                    if ((node = trie.child(node, word[e++])) < 0) {
                        break;
                    }
                    int id = trie.piece(node);
                    if (id >= 0 && alive[id]) {
                        if (edges == start.length) {
                            start = Arrays.copyOf(start, edges * 2);
                            end = Arrays.copyOf(end, edges * 2);
                            piece = Arrays.copyOf(piece, edges * 2);
                        }
                        start[edges] = i;
                        end[edges] = e;
                        piece[edges++] = id;
                    }
                }
            }
        }
        first[to - from] = edges;
        return new Chunk(from, to, first, start, end, piece);
    }

    /**
     * The E-step: forward-backward over each word's lattice of living pieces, each piece's expected number of
     * uses over the corpus (alpha(start) p(piece) beta(end) / Z per edge, times the word's count).
     */
    Expectation expectation(double[] logProbs, boolean[] alive) {
        List<Expectation> parts = Arrays.stream(chunks).parallel().map(c -> expectation(c, logProbs, alive)).toList();
        double[] expected = new double[logProbs.length];
        double logLikelihood = 0;
        for (Expectation part : parts) { // in chunk order
            logLikelihood += part.logLikelihood;
            for (int id = 0; id < expected.length; id++) {
                expected[id] += part.counts[id];
            }
        }
        return new Expectation(expected, logLikelihood);
    }

    private Expectation expectation(Chunk c, double[] logProbs, boolean[] alive) {
        double[] expected = new double[logProbs.length];
        double[] alpha = new double[64], beta = new double[64];
        double logLikelihood = 0;
        for (int w = c.from; w < c.to; w++) {
            int length = words[w].length, first = c.first[w - c.from], last = c.first[w - c.from + 1];
            if (alpha.length < length + 1) {
                alpha = new double[2 * length + 1];
                beta = new double[2 * length + 1];
            }
            Arrays.fill(alpha, 0, length + 1, Double.NEGATIVE_INFINITY);
            Arrays.fill(beta, 0, length + 1, Double.NEGATIVE_INFINITY);
            alpha[0] = 0;
            beta[length] = 0;
            for (int e = first; e < last; e++) { // in order of start: alpha[start] is complete when read
                if (alive[c.piece[e]]) {
                    alpha[c.end[e]] = logAdd(alpha[c.end[e]], alpha[c.start[e]] + logProbs[c.piece[e]]);
                }
            }
            for (int e = last - 1; e >= first; e--) {
                if (alive[c.piece[e]]) {
                    beta[c.start[e]] = logAdd(beta[c.start[e]], beta[c.end[e]] + logProbs[c.piece[e]]);
                }
            }
            double logZ = alpha[length];
            long count = counts[w];
            logLikelihood += count * logZ;
            for (int e = first; e < last; e++) {
                int id = c.piece[e];
                if (alive[id]) {
                    expected[id] += count * Math.exp(alpha[c.start[e]] + logProbs[id] + beta[c.end[e]] - logZ);
                }
            }
        }
        return new Expectation(expected, logLikelihood);
    }

    /** How often each piece is used in the most likely cutting of every word (whole numbers). */
    double[] viterbiUses(double[] logProbs, boolean[] alive) {
        List<double[]> parts = Arrays.stream(chunks).parallel().map(c -> viterbiUses(c, logProbs, alive)).toList();
        double[] uses = new double[logProbs.length];
        for (double[] part : parts) {
            for (int id = 0; id < uses.length; id++) {
                uses[id] += part[id];
            }
        }
        return uses;
    }

    private double[] viterbiUses(Chunk c, double[] logProbs, boolean[] alive) {
        double[] uses = new double[logProbs.length];
        double[] best = new double[64];
        int[] piece = new int[64], from = new int[64];
        for (int w = c.from; w < c.to; w++) {
            int length = words[w].length, first = c.first[w - c.from], last = c.first[w - c.from + 1];
            if (best.length < length + 1) {
                best = new double[2 * length + 1];
                piece = new int[2 * length + 1];
                from = new int[2 * length + 1];
            }
            Arrays.fill(best, 0, length + 1, Double.NEGATIVE_INFINITY);
            best[0] = 0;
            for (int e = first; e < last; e++) { // the first of equal scores wins, as in the trie walk
                int id = c.piece[e], s = c.start[e], end = c.end[e];
                if (alive[id] && best[s] != Double.NEGATIVE_INFINITY && best[s] + logProbs[id] > best[end]) {
                    best[end] = best[s] + logProbs[id];
                    piece[end] = id;
                    from[end] = s;
                }
            }
            for (int end = length; end > 0; end = from[end]) {
                uses[piece[end]] += counts[w];
            }
        }
        return uses;
    }

    /** log(e^a + e^b); Math.log(1 + x) rather than log1p, which the JIT does not compile to an intrinsic. */
    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        return Math.max(a, b) + Math.log(1 + Math.exp(-Math.abs(a - b)));
    }
}
