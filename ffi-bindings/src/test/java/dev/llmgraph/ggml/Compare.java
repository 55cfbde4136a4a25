package dev.llmgraph.ggml;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Element-wise comparison of a ggml result with a double-precision reference. A failure names the first
 * element outside its tolerance (index in ggml order), how many there are, and the seed of the run. Each
 * comparison also prints its largest error as a share of the tolerance, so the margins can be reviewed in
 * Surefire's output files.
 */
final class Compare {
    private Compare() {}

    /** |actual - expected| <= absolute + relative * |expected|. */
    record Tolerance(double absolute, double relative) {
        static Tolerance absolute(double absolute) {
            return new Tolerance(absolute, 0);
        }

        double allowedFor(double expected) {
            return absolute + relative * Math.abs(expected);
        }

        @Override
        public String toString() {
            return relative == 0 ? "± " + absolute : "± (" + absolute + " + " + relative + "·|expected|)";
        }
    }

    static void assertClose(String what, double[] expected, float[] actual, Tolerance tolerance) {
        double[] allowed = new double[expected.length];
        for (int i = 0; i < expected.length; i++) {
            allowed[i] = tolerance.allowedFor(expected[i]);
        }
        assertClose(what + " " + tolerance, expected, allowed, actual);
    }

    /** Bit-for-bit equality in value (the result is exactly representable and ggml rounds correctly). */
    static void assertExactly(String what, double[] expected, float[] actual) {
        assertClose(what + " exactly", expected, new double[expected.length], actual);
    }

    /** Each element with its own allowed error (for bounds that depend on the data, such as Σ|a·b|). */
    static void assertClose(String what, double[] expected, double[] allowed, float[] actual) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        int outside = 0;
        int first = -1;
        double worstShare = 0;
        for (int i = 0; i < expected.length; i++) {
            double error = errorOf(expected[i], actual[i]);
            if (!(error <= allowed[i])) {
                outside++;
                if (first < 0) {
                    first = i;
                }
            }
            double share = allowed[i] == 0 ? (error == 0 ? 0 : Double.POSITIVE_INFINITY) : error / allowed[i];
            worstShare = Math.max(worstShare, share);
        }
        if (outside > 0) {
            fail(what + ": element " + first + " of " + expected.length + " (ggml order) is " + actual[first]
                    + ", expected " + expected[first] + " ± " + allowed[first] + "; " + outside
                    + " elements outside the tolerance; " + RandomInputs.reproduce());
        }
        System.out.printf("%s: largest error %.3g of the tolerance%n", what, worstShare);
    }

    /** Infinities must match exactly (a masked-out logit stays -inf); NaN never matches. */
    private static double errorOf(double expected, float actual) {
        if (Float.isNaN(actual)) {
            return Double.POSITIVE_INFINITY;
        }
        if (Double.isInfinite(expected) || Float.isInfinite(actual)) {
            return expected == actual ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(actual - expected);
    }
}
