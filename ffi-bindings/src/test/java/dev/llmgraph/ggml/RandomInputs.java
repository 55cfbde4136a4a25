package dev.llmgraph.ggml;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fresh random inputs for every run. One seed is drawn per test JVM (or taken from
 * {@code -Dllmgraph.test.seed=N}); each test case mixes its own parameters into it, so a case sees the same
 * data whatever order the cases run in, and a failure names the seed that reproduces it.
 */
final class RandomInputs {
    static final long RUN_SEED = Long.getLong("llmgraph.test.seed", new java.security.SecureRandom().nextLong());

    private final SplittableRandom random;

    private RandomInputs(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Inputs for the test case described by {@code caseParameters} (names, shapes, flags). */
    static RandomInputs forCase(Object... caseParameters) {
        return new RandomInputs(RUN_SEED * 31 + Arrays.deepToString(caseParameters).hashCode());
    }

    /** What a failure message says so that the run can be repeated exactly. */
    static String reproduce() {
        return "run seed " + RUN_SEED + " (rerun with -Dllmgraph.test.seed=" + RUN_SEED + ")";
    }

    /** {@code count} floats drawn uniformly from [min, max). */
    float[] uniform(int count, double min, double max) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) random.nextDouble(min, max);
        }
        return out;
    }

    /** {@code count} ints drawn uniformly from [0, bound). */
    int[] ints(int count, int bound) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = random.nextInt(bound);
        }
        return out;
    }

    /** {@code count} distinct floats in random order (sorting then has exactly one right answer). */
    float[] distinct(int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = i - count / 2f + (float) random.nextDouble(0.1, 0.9);
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** The floats widened to doubles, for the double-precision references. */
    static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
