package dev.llmgraph.parity;

import dev.llmgraph.display.Charts;
import dev.llmgraph.display.Figure;

import java.util.List;

/**
 * How many elements of a node differ by how much, in decades of the difference relative to the node's scale
 * (its largest |value| in llama.cpp): exactly equal, below 1e-7, 1e-7 to 1e-6, ..., 1e-2 and above. A node
 * whose few large differences hide among many equal elements shows here, not in its largest difference alone.
 */
public record DifferenceHistogram(long[] counts) {
    /** Bin labels, one per count. */
    public static final List<String> BINS = List.of("0", "<1e-7", "1e-7..1e-6", "1e-6..1e-5", "1e-5..1e-4",
            "1e-4..1e-3", "1e-3..1e-2", ">=1e-2");

    public DifferenceHistogram {
        if (counts.length != BINS.size()) {
            throw new IllegalArgumentException(counts.length + " counts for " + BINS.size() + " bins " + BINS);
        }
        counts = counts.clone();
    }

    /** The histogram of |a - b| / scale over all elements. */
    static DifferenceHistogram of(float[] a, float[] b, double scale) {
        long[] counts = new long[BINS.size()];
        for (int i = 0; i < a.length; i++) {
            counts[bin(Math.abs((double) a[i] - b[i]) / scale)]++;
        }
        return new DifferenceHistogram(counts);
    }

    private static int bin(double relative) {
        if (relative == 0) {
            return 0;
        }
        if (!(relative < 1e-2)) {
            return BINS.size() - 1; // NaN lands here too
        }
        int decade = (int) Math.floor(Math.log10(relative)); // -7 and below, -6, ..., -3
        return Math.max(1, decade + 8);
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** The elements counted. */
    public long total() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /** A bar chart of the counts (log scale), for a notebook. */
    public Figure chart(String title) {
        return Charts.bar(title).categories(BINS).series("elements", counts).xLabel("|difference| / node's largest |value|")
                .yLabel("elements").logY().render();
    }

    /** The non-empty bins, "0: 310, <1e-7: 2, 1e-7..1e-6: 8". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                sb.append(sb.isEmpty() ? "" : ", ").append(BINS.get(i)).append(": ").append(counts[i]);
            }
        }
        return sb.toString();
    }
}
