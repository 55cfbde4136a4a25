package dev.llmgraph.bench;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.Session;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Measures llmgraph the way llama-bench measures llama.cpp (same tests, same batch sizes). */
public final class LlmgraphBench {
    private LlmgraphBench() {}

    /** The pp and tg results for {@code model}; {@code label}/{@code type} name it in the report. */
    public static List<BenchResult> run(Model model, String label, String type, BenchConfig config) {
        List<BenchResult> out = new ArrayList<>();
        int vocab = model.spec().vocabSize();
        SplittableRandom random = new SplittableRandom(1234);
        try (Session session = model.session(config.prompt() + config.generate())) {
            int[] prompt = random.ints(config.prompt(), 0, vocab).toArray();
            double[] pp = time(config.repetitions(), () -> {
                session.reset();
                session.feed(prompt);
            });
            out.add(new BenchResult("llmgraph", label, type, "pp" + config.prompt(), config.prompt(), 0,
                    config.threads(), config.backend(), config.flash(), BenchResult.rates(config.prompt(), pp)));
            int[] tokens = random.ints(config.generate(), 0, vocab).toArray();
            double[] tg = time(config.repetitions(), () -> {
                session.reset();
                for (int token : tokens) {
                    session.feed(token);
                }
            });
            out.add(new BenchResult("llmgraph", label, type, "tg" + config.generate(), 0, config.generate(),
                    config.threads(), config.backend(), config.flash(), BenchResult.rates(config.generate(), tg)));
        }
        return out;
    }

    /** Seconds of each of {@code repetitions} runs, after one warm-up run. */
    private static double[] time(int repetitions, Runnable work) {
        work.run();
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
