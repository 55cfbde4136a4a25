package dev.llmgraph.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bootstrap interval of a ratio of medians, checked by what it promises: over many simulated benchmarks
 * whose true ratio is known, about 95% of the intervals hold it.
 */
class RatioIntervalTest {
    private static final double TRUE_RATIO = 1.03;

    @Test
    void samplesWithoutSpreadGiveAnIntervalOfOnePoint() {
        RatioInterval r = RatioInterval.ofMedians(new double[] {110, 110, 110}, new double[] {100, 100});
        assertEquals(new RatioInterval(1.1, 1.1, 1.1).toString(), r.toString());
        assertEquals(1.1, r.low(), 1e-12);
        assertEquals(1.1, r.high(), 1e-12);
    }

    @Test
    void aboutNineteenOfTwentyIntervalsHoldTheTrueRatio() {
        // 15 samples per engine, log-normal with 5% spread (this machine's), true ratio of medians 1.03.
        Random random = new Random(7);
        int trials = 300, held = 0;
        for (int t = 0; t < trials; t++) {
            RatioInterval r = RatioInterval.ofMedians(draw(random, 15, 100 * TRUE_RATIO), draw(random, 15, 100));
            if (r.low() <= TRUE_RATIO && TRUE_RATIO <= r.high()) {
                held++;
            }
        }
        double coverage = held / (double) trials;
        // The percentile bootstrap of a median of 15 covers a little less than its nominal 95%.
        assertTrue(coverage >= 0.88 && coverage <= 0.99, "coverage " + coverage);
    }

    @Test
    void theGeometricMeanIntervalHoldsTheTrueMeanAndIsNarrowerThanOneCell() {
        Random random = new Random(11);
        double[] truths = {0.95, 1.0, 1.05, 1.12};
        double trueMean = Math.exp(java.util.Arrays.stream(truths).map(Math::log).average().orElseThrow());
        int trials = 100, held = 0;
        double meanWidth = 0, cellWidth = 0;
        for (int t = 0; t < trials; t++) {
            List<double[][]> pairs = new ArrayList<>();
            for (double truth : truths) {
                pairs.add(new double[][] {draw(random, 15, 50 * truth), draw(random, 15, 50)});
            }
            RatioInterval mean = RatioInterval.geometricMean(pairs);
            RatioInterval first = RatioInterval.ofMedians(pairs.getFirst()[0], pairs.getFirst()[1]);
            held += mean.low() <= trueMean && trueMean <= mean.high() ? 1 : 0;
            meanWidth += mean.high() - mean.low();
            cellWidth += first.high() - first.low();
        }
        assertTrue(held >= 85, held + " of " + trials + " intervals hold the true geometric mean");
        assertTrue(meanWidth < 0.7 * cellWidth, "averaging four cells narrows the interval: " + meanWidth + " vs "
                + cellWidth);
    }

    @Test
    void aboveMeansTheWholeIntervalClearsTheTarget() {
        assertTrue(new RatioInterval(1.04, 1.01, 1.07).above(1.0));
        assertTrue(!new RatioInterval(1.04, 0.99, 1.07).above(1.0));
    }

    @Test
    void missingSamplesAreRefusedInWords() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RatioInterval.ofMedians(new double[] {1, 2}, new double[0]));
        assertEquals("a ratio interval needs samples of both engines; got 2 of llmgraph and 0 of llama.cpp",
                e.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> RatioInterval.geometricMean(List.of()));
        assertEquals("a geometric mean needs at least one pair of samples", none.getMessage());
    }

    private static double[] draw(Random random, int n, double median) {
        double[] samples = new double[n];
        for (int i = 0; i < n; i++) {
            samples[i] = median * Math.exp(0.05 * random.nextGaussian());
        }
        return samples;
    }
}
