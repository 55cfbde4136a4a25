package dev.llmgraph.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded pairwise covering sample of a product of axes: every value of every axis meets every value of
 * every other axis in at least one row, in far fewer rows than the full product (AETG's greedy
 * construction, Cohen et al. 1997: each row starts from an uncovered pair and fills the other axes with the
 * value that covers the most new pairs; the best of a few candidates is kept).
 *
 * <p>With {@link Constraints}, some values cannot share a row (a rule says why), and some values leave another
 * axis without effect: that axis is then {@link #DROPPED} in the row and its pairs count as covered nowhere in it.
 * The sample covers every pair that some row can hold: both values compatible and neither dropping the other's
 * axis. Every such pair is coverable here as long as one value of each axis is compatible with everything and
 * drops nothing (softmax attention on the mixer axis, the first value elsewhere).
 */
final class CoveringSample {
    private CoveringSample() {}

    /** A row's value for an axis that another of its values leaves without effect. */
    static final int DROPPED = -1;

    /** Which values may share a row, and which make other axes irrelevant. */
    interface Constraints {
        /** Whether value {@code va} of axis {@code a} may share a row with value {@code vb} of axis {@code b}. */
        boolean compatible(int a, int va, int b, int vb);

        /** Whether value {@code va} of axis {@code a} leaves axis {@code b} without effect. */
        boolean drops(int a, int va, int b);

        Constraints NONE = new Constraints() {
            @Override
            public boolean compatible(int a, int va, int b, int vb) {
                return true;
            }

            @Override
            public boolean drops(int a, int va, int b) {
                return false;
            }
        };
    }

    /** Rows of value indices, one per axis of the given sizes; the same seed gives the same rows. */
    static List<int[]> pairwise(int[] sizes, long seed) {
        return pairwise(sizes, Constraints.NONE, seed);
    }

    /** Whether a row must cover the pair (a = va, b = vb): the two may meet and neither drops the other's axis. */
    static boolean required(Constraints c, int a, int va, int b, int vb) {
        return c.compatible(a, va, b, vb) && c.compatible(b, vb, a, va) && !c.drops(a, va, b) && !c.drops(b, vb, a);
    }

    /** Rows that cover every required pair, never put incompatible values together, and mark dropped axes. */
    static List<int[]> pairwise(int[] sizes, Constraints constraints, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int axes = sizes.length;
        boolean[][][][] covered = new boolean[axes][axes][][];
        int uncovered = 0;
        for (int a = 0; a < axes; a++) {
            for (int b = a + 1; b < axes; b++) {
                covered[a][b] = new boolean[sizes[a]][sizes[b]];
                for (int va = 0; va < sizes[a]; va++) {
                    for (int vb = 0; vb < sizes[b]; vb++) {
                        if (required(constraints, a, va, b, vb)) {
                            uncovered++;
                        } else {
                            covered[a][b][va][vb] = true; // nothing to cover
                        }
                    }
                }
            }
        }
        List<int[]> rows = new ArrayList<>();
        while (uncovered > 0) {
            int[] best = null;
            int bestGain = -1;
            for (int candidate = 0; candidate < 16; candidate++) {
                int[] row = candidate(sizes, covered, constraints, random);
                int gain = newPairs(row, covered);
                if (gain > bestGain) {
                    best = row;
                    bestGain = gain;
                }
            }
            for (int a = 0; a < axes; a++) {
                for (int b = a + 1; b < axes; b++) {
                    if (best[a] != DROPPED && best[b] != DROPPED && !covered[a][b][best[a]][best[b]]) {
                        covered[a][b][best[a]][best[b]] = true;
                        uncovered--;
                    }
                }
            }
            rows.add(best);
        }
        return rows;
    }

    private static int[] candidate(int[] sizes, boolean[][][][] covered, Constraints constraints,
                                   SplittableRandom random) {
        int axes = sizes.length;
        int[] row = new int[axes];
        Arrays.fill(row, DROPPED);
        // Seed the row with one uncovered pair, picked at random, so that every row makes progress.
        List<int[]> open = new ArrayList<>();
        for (int a = 0; a < axes; a++) {
            for (int b = a + 1; b < axes; b++) {
                for (int va = 0; va < sizes[a]; va++) {
                    for (int vb = 0; vb < sizes[b]; vb++) {
                        if (!covered[a][b][va][vb]) {
                            open.add(new int[] {a, b, va, vb});
                        }
                    }
                }
            }
        }
        int[] seedPair = open.get(random.nextInt(open.size()));
        row[seedPair[0]] = seedPair[2];
        row[seedPair[1]] = seedPair[3];
        List<Integer> order = new ArrayList<>();
        for (int a = 0; a < axes; a++) {
            if (row[a] == DROPPED) {
                order.add(a);
            }
        }
        for (int i = order.size() - 1; i > 0; i--) {
            Collections.swap(order, i, random.nextInt(i + 1));
        }
        for (int axis : order) {
            if (droppedBy(row, axis, constraints)) {
                continue;
            }
            int bestValue = DROPPED, bestGain = -1;
            int offset = random.nextInt(sizes[axis]);
            for (int j = 0; j < sizes[axis]; j++) {
                int value = (offset + j) % sizes[axis];
                if (!fits(row, axis, value, seedPair, constraints)) {
                    continue;
                }
                int[] trial = row.clone();
                trial[axis] = value;
                int gain = newPairs(effective(trial, constraints), covered);
                if (gain > bestGain) {
                    bestGain = gain;
                    bestValue = value;
                }
            }
            row[axis] = bestValue;
        }
        return effective(row, constraints);
    }

    /** Whether {@code value} may join the row: compatible with every value placed, and keeping the seed pair. */
    private static boolean fits(int[] row, int axis, int value, int[] seedPair, Constraints constraints) {
        for (int other = 0; other < row.length; other++) {
            if (other == axis || row[other] == DROPPED) {
                continue;
            }
            if (!constraints.compatible(axis, value, other, row[other])
                    || !constraints.compatible(other, row[other], axis, value)) {
                return false;
            }
        }
        return !constraints.drops(axis, value, seedPair[0]) && !constraints.drops(axis, value, seedPair[1]);
    }

    private static boolean droppedBy(int[] row, int axis, Constraints constraints) {
        for (int other = 0; other < row.length; other++) {
            if (other != axis && row[other] != DROPPED && constraints.drops(other, row[other], axis)) {
                return true;
            }
        }
        return false;
    }

    /** The row with every axis that one of its values drops marked {@link #DROPPED}. */
    static int[] effective(int[] row, Constraints constraints) {
        int[] out = row.clone();
        for (int axis = 0; axis < row.length; axis++) {
            if (droppedBy(row, axis, constraints)) {
                out[axis] = DROPPED;
            }
        }
        return out;
    }

    private static int newPairs(int[] row, boolean[][][][] covered) {
        int n = 0;
        for (int a = 0; a < row.length; a++) {
            for (int b = a + 1; b < row.length; b++) {
                if (row[a] != DROPPED && row[b] != DROPPED && !covered[a][b][row[a]][row[b]]) {
                    n++;
                }
            }
        }
        return n;
    }
}
