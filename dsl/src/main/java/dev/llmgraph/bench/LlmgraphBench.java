package dev.llmgraph.bench;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.Session;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures llmgraph the way llama-bench measures llama.cpp (same tests, same batch sizes), after a warm-up
 * long enough for the JIT to compile the per-step Java code.
 */
public final class LlmgraphBench {
    private LlmgraphBench() {}

    /**
     * The results and the decode session's timing: how many graphs were built and how long that took,
     * against the time of all decode steps.
     */
    public record Run(List<BenchResult> results, Session.Stats decodeStats) {}

    /** The pp and tg results for {@code model}; {@code label}/{@code type} name it in the report. */
    public static Run run(Model model, String label, String type, BenchConfig config) {
        List<BenchResult> out = new ArrayList<>();
        Session.Stats decodeStats;
        int vocab = model.spec().vocabSize();
        SplittableRandom random = new SplittableRandom(1234);
        try (Session prefill = model.session(config.prompt() + config.generate())) {
            int[] prompt = random.ints(config.prompt(), 0, vocab).toArray();
            double[] pp = time(config.repetitions(), () -> {
                prefill.reset();
                prefill.feed(prompt);
            });
            out.add(new BenchResult("llmgraph", label, type, "pp" + config.prompt(), config.prompt(), 0,
                    config.threads(), config.backend(), config.flash(), BenchResult.rates(config.prompt(), pp)));
        }
        try (Session decode = model.session(config.prompt() + config.generate())) {
            int[] tokens = random.ints(config.generate(), 0, vocab).toArray();
            double[] tg = time(config.repetitions(), () -> {
                decode.reset();
                for (int token : tokens) {
                    decode.feed(token);
                }
            });
            out.add(new BenchResult("llmgraph", label, type, "tg" + config.generate(), 0, config.generate(),
                    config.threads(), config.backend(), config.flash(), BenchResult.rates(config.generate(), tg)));
            decodeStats = decode.stats();
        }
        return new Run(out, decodeStats);
    }

    /**
     * The JVM compiles the per-step Java code (inputs, logits, bookkeeping) only after it has run a while:
     * warm-up repeats the work for at least this long (llama.cpp, compiled ahead of time, needs one run).
     */
    private static final long WARM_UP_NANOS = 2_000_000_000L;

    /** Seconds of each of {@code repetitions} runs, after warming up. */
    private static double[] time(int repetitions, Runnable work) {
        long warmUpStart = System.nanoTime();
        do {
            work.run();
        } while (System.nanoTime() - warmUpStart < WARM_UP_NANOS);
        double[] seconds = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new dev.llmgraph.ggml.ComputeInterruptedException("the benchmark was interrupted");
            }
            long t0 = System.nanoTime();
            work.run();
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }
}
