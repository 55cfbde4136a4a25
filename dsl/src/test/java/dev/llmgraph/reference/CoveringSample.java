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
 */
final class CoveringSample {
    private CoveringSample() {}

    /** Rows of value indices, one per axis of the given sizes; the same seed gives the same rows. */
    static List<int[]> pairwise(int[] sizes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int axes = sizes.length;
        boolean[][][][] covered = new boolean[axes][axes][][];
        int uncovered = 0;
        for (int a = 0; a < axes; a++) {
            for (int b = a + 1; b < axes; b++) {
                covered[a][b] = new boolean[sizes[a]][sizes[b]];
                uncovered += sizes[a] * sizes[b];
            }
        }
        List<int[]> rows = new ArrayList<>();
        while (uncovered > 0) {
            int[] best = null;
            int bestGain = -1;
            for (int candidate = 0; candidate < 16; candidate++) {
                int[] row = candidate(sizes, covered, random);
                int gain = newPairs(row, covered);
                if (gain > bestGain) {
                    best = row;
                    bestGain = gain;
                }
            }
            for (int a = 0; a < axes; a++) {
                for (int b = a + 1; b < axes; b++) {
                    if (!covered[a][b][best[a]][best[b]]) {
                        covered[a][b][best[a]][best[b]] = true;
                        uncovered--;
                    }
                }
            }
            rows.add(best);
        }
        return rows;
    }

    private static int[] candidate(int[] sizes, boolean[][][][] covered, SplittableRandom random) {
        int axes = sizes.length;
        int[] row = new int[axes];
        Arrays.fill(row, -1);
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
            if (row[a] < 0) {
                order.add(a);
            }
        }
        for (int i = order.size() - 1; i > 0; i--) {
            Collections.swap(order, i, random.nextInt(i + 1));
        }
        for (int axis : order) {
            int bestValue = 0, bestGain = -1;
            int offset = random.nextInt(sizes[axis]);
            for (int j = 0; j < sizes[axis]; j++) {
                int value = (offset + j) % sizes[axis];
                row[axis] = value;
                int gain = 0;
                for (int other = 0; other < axes; other++) {
                    if (other != axis && row[other] >= 0 && !isCovered(covered, axis, value, other, row[other])) {
                        gain++;
                    }
                }
                if (gain > bestGain) {
                    bestGain = gain;
                    bestValue = value;
                }
            }
            row[axis] = bestValue;
        }
        return row;
    }

    private static int newPairs(int[] row, boolean[][][][] covered) {
        int n = 0;
        for (int a = 0; a < row.length; a++) {
            for (int b = a + 1; b < row.length; b++) {
                if (!covered[a][b][row[a]][row[b]]) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean isCovered(boolean[][][][] covered, int a, int va, int b, int vb) {
        return a < b ? covered[a][b][va][vb] : covered[b][a][vb][va];
    }
}
