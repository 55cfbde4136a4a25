package dev.llmgraph.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler against softmax, top-k and nucleus sets computed here from their definitions. */
class SamplerTest {
    static float[] randomLogits(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = (float) (3 * random.nextGaussian());
        }
        return logits;
    }

    /** softmax(logits / t) in double precision. */
    static double[] softmax(float[] logits, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / t);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Token ids by descending logit. */
    static Integer[] ranking(float[] logits) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        return order;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void greedyPicksTheArgmax(long seed) {
        float[] logits = randomLogits(seed, 50);
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        assertEquals(best, Sampler.greedy().start().next(logits));
    }

    @ParameterizedTest(name = "t = {0}")
    @ValueSource(doubles = {0.25, 0.7, 1.0, 2.0, 10.0})
    void temperatureGivesSoftmaxOfScaledLogits(double t) {
        float[] logits = randomLogits(7, 40);
        assertArrayEquals(softmax(logits, t), Sampler.temperature(t).probabilities(logits), 1e-12);
    }

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {1, 3, 10, 39})
    void topKKeepsExactlyTheKBestRenormalised(int k) {
        float[] logits = randomLogits(8, 40);
        double[] p = Sampler.temperature(0.8).withTopK(k).probabilities(logits);
        double[] full = softmax(logits, 0.8);
        Integer[] order = ranking(logits);
        double kept = 0;
        for (int r = 0; r < k; r++) {
            kept += full[order[r]];
        }
        for (int r = 0; r < logits.length; r++) {
            double expected = r < k ? full[order[r]] / kept : 0;
            assertEquals(expected, p[order[r]], 1e-12, "rank " + r);
        }
        assertEquals(k, Arrays.stream(p).filter(x -> x > 0).count());
    }

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {0.05, 0.3, 0.5, 0.9, 0.99})
    void topPKeepsTheSmallestNucleus(double topP) {
        float[] logits = randomLogits(9, 40);
        double[] full = softmax(logits, 1.0);
        Integer[] order = ranking(logits);
        int size = 0;
        double mass = 0;
        while (mass < topP) {
            mass += full[order[size++]];
        }
        double[] p = Sampler.temperature(1.0).withTopP(topP).probabilities(logits);
        assertEquals(size, Arrays.stream(p).filter(x -> x > 0).count(), "nucleus size");
        for (int r = 0; r < size; r++) {
            assertEquals(full[order[r]] / mass, p[order[r]], 1e-12, "rank " + r);
        }
        double withoutLast = mass - full[order[size - 1]];
        assertTrue(withoutLast < topP, "one token fewer would not reach " + topP);
    }

    @Test
    void seededDrawsAreReproducible() {
        float[] logits = randomLogits(10, 30);
        Sampler sampler = Sampler.temperature(1.5).withSeed(42);
        int[] first = draws(sampler, logits, 200);
        assertArrayEquals(first, draws(sampler, logits, 200));
        assertNotEquals(Arrays.toString(first), Arrays.toString(draws(sampler.withSeed(43), logits, 200)));
    }

    @Test
    void drawFrequenciesMatchTheProbabilities() {
        float[] logits = randomLogits(11, 12);
        Sampler sampler = Sampler.temperature(2.0).withTopK(8).withSeed(5);
        double[] p = sampler.probabilities(logits);
        int n = 40_000;
        int[] counts = new int[logits.length];
        for (int token : draws(sampler, logits, n)) {
            counts[token]++;
        }
        for (int i = 0; i < p.length; i++) {
            // a binomial count lies within 5 standard deviations of n p except with probability 6e-7
            double bound = 5 * Math.sqrt(n * p[i] * (1 - p[i]));
            assertEquals(n * p[i], counts[i], bound, "token " + i + " with probability " + p[i]);
        }
    }

    @Test
    void invalidSettingsAreRejectedWithTheirRule() {
        assertEquals("temperature = -1.0: must be 0 (greedy) or positive",
                assertThrows(IllegalArgumentException.class, () -> Sampler.temperature(-1)).getMessage());
        assertEquals("temperature = NaN: must be 0 (greedy) or positive",
                assertThrows(IllegalArgumentException.class, () -> Sampler.temperature(Double.NaN)).getMessage());
        assertEquals("topK = -2: must be 0 (off) or positive",
                assertThrows(IllegalArgumentException.class, () -> Sampler.temperature(1).withTopK(-2)).getMessage());
        assertEquals("topP = 0.0: must be in (0, 1]",
                assertThrows(IllegalArgumentException.class, () -> Sampler.temperature(1).withTopP(0)).getMessage());
        assertEquals("topP = 1.5: must be in (0, 1]",
                assertThrows(IllegalArgumentException.class, () -> Sampler.temperature(1).withTopP(1.5)).getMessage());
        assertEquals("maxNewTokens = 0: must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(0)).getMessage());
    }

    private static int[] draws(Sampler sampler, float[] logits, int n) {
        Sampler.Draw draw = sampler.start();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = draw.next(logits);
        }
        return out;
    }
}
