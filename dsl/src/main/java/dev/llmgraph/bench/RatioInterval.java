package dev.llmgraph.bench;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A 95% confidence interval for a ratio of median throughputs, by the percentile bootstrap: each engine's
 * samples are drawn again with replacement, {@value #REPLICATES} times, and the ratio of the two medians is
 * computed each time; the interval holds the middle 95% of those ratios. It assumes the samples of one
 * engine are exchangeable, which alternating rounds make closer to true on a machine that drifts.
 *
 * <p>The seed is fixed, so a report computed twice from the same samples gives the same interval.
 *
 * @param estimate the ratio of the medians of all samples
 * @param low      the 2.5th percentile of the bootstrap ratios
 * @param high     the 97.5th percentile
 */
public record RatioInterval(double estimate, double low, double high) {
    static final int REPLICATES = 10_000;
    private static final long SEED = 20261205L;

    /** The interval of {@code median(ours) / median(theirs)}. */
    public static RatioInterval ofMedians(double[] ours, double[] theirs) {
        requireSamples(ours, theirs);
        SplittableRandom random = new SplittableRandom(SEED);
        double[] ratios = new double[REPLICATES];
        for (int i = 0; i < REPLICATES; i++) {
            ratios[i] = BenchResult.median(resample(ours, random)) / BenchResult.median(resample(theirs, random));
        }
        return fromReplicates(BenchResult.median(ours) / BenchResult.median(theirs), ratios);
    }

    /**
     * The interval of the geometric mean of several ratios of medians, each pair {@code [ours, theirs]}
     * drawn again in every replicate, so that the uncertainty of every cell adds up.
     */
    public static RatioInterval geometricMean(List<double[][]> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a geometric mean needs at least one pair of samples");
        }
        pairs.forEach(p -> requireSamples(p[0], p[1]));
        SplittableRandom random = new SplittableRandom(SEED);
        double[] means = new double[REPLICATES];
        for (int i = 0; i < REPLICATES; i++) {
            double logSum = 0;
            for (double[][] p : pairs) {
                logSum += Math.log(BenchResult.median(resample(p[0], random))
                        / BenchResult.median(resample(p[1], random)));
            }
            means[i] = Math.exp(logSum / pairs.size());
        }
        double logSum = 0;
        for (double[][] p : pairs) {
            logSum += Math.log(BenchResult.median(p[0]) / BenchResult.median(p[1]));
        }
        return fromReplicates(Math.exp(logSum / pairs.size()), means);
    }

    /** Whether the whole interval lies at or above {@code target}: the target is met beyond the noise. */
    public boolean above(double target) {
        return low >= target;
    }

    /** "1.031 [0.998, 1.062]". */
    @Override
    public String toString() {
        return String.format("%.3f [%.3f, %.3f]", estimate, low, high);
    }

    private static RatioInterval fromReplicates(double estimate, double[] replicates) {
        Arrays.sort(replicates);
        return new RatioInterval(estimate, percentile(replicates, 0.025), percentile(replicates, 0.975));
    }

    /** The {@code p} quantile of sorted values, interpolated between the two nearest ranks. */
    static double percentile(double[] sorted, double p) {
        double rank = p * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    private static double[] resample(double[] values, SplittableRandom random) {
        double[] drawn = new double[values.length];
        for (int i = 0; i < drawn.length; i++) {
            drawn[i] = values[random.nextInt(values.length)];
        }
        return drawn;
    }

    private static void requireSamples(double[] ours, double[] theirs) {
        if (ours.length == 0 || theirs.length == 0) {
            throw new IllegalArgumentException("a ratio interval needs samples of both engines; got " + ours.length
                    + " of llmgraph and " + theirs.length + " of llama.cpp");
        }
    }
}
