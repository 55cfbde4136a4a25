package dev.llmgraph.bench;

import java.util.Arrays;

/**
 * One measured test, with llama-bench's JSON field names where they exist ({@code n_prompt}, {@code n_gen},
 * {@code avg_ts}, {@code stddev_ts}, {@code samples_ts}, {@code n_threads}, {@code flash_attn}).
 *
 * @param engine    "llmgraph" or "llama.cpp"
 * @param test      "pp512", "tg128", "pp512 @ d4096", ...
 * @param samplesTs tokens per second of each repetition
 * @param nDepth    tokens in the cache before the test ({@code n_depth}, llama-bench's {@code -d})
 */
public record BenchResult(String engine, String model, String type, String test, int nPrompt, int nGen, int threads,
                          String backend, boolean flash, double[] samplesTs, int nDepth) {
    /** A test on an empty cache (depth 0). */
    public BenchResult(String engine, String model, String type, String test, int nPrompt, int nGen, int threads,
                       String backend, boolean flash, double[] samplesTs) {
        this(engine, model, type, test, nPrompt, nGen, threads, backend, flash, samplesTs, 0);
    }

    public double avgTs() {
        return Arrays.stream(samplesTs).average().orElse(Double.NaN);
    }

    public double stddevTs() {
        if (samplesTs.length < 2) {
            return 0;
        }
        double mean = avgTs();
        double sum = 0;
        for (double s : samplesTs) {
            sum += (s - mean) * (s - mean);
        }
        return Math.sqrt(sum / (samplesTs.length - 1));
    }

    /** The median of the samples: what the ratio compares (robust to a slow spell of a shared machine). */
    public double medianTs() {
        return median(samplesTs);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** This result with the samples of {@code other} (the same engine, model, type and test) added. */
    public BenchResult plus(BenchResult other) {
        double[] all = Arrays.copyOf(samplesTs, samplesTs.length + other.samplesTs.length);
        System.arraycopy(other.samplesTs, 0, all, samplesTs.length, other.samplesTs.length);
        return new BenchResult(engine, model, type, test, nPrompt, nGen, threads, backend, flash, all, nDepth);
    }

    /** Whether {@code other} measures the same thing with the same engine. */
    public boolean sameTest(BenchResult other) {
        return engine.equals(other.engine) && sameCell(other);
    }

    /** Whether {@code other} measures the same thing, with this engine or the other: one row of the report. */
    public boolean sameCell(BenchResult other) {
        return model.equals(other.model) && type.equals(other.type) && test.equals(other.test)
                && nDepth == other.nDepth;
    }

    /** Tokens per second from the times (seconds) of the repetitions of a test over {@code tokens} tokens. */
    static double[] rates(int tokens, double[] seconds) {
        return Arrays.stream(seconds).map(s -> tokens / s).toArray();
    }
}
