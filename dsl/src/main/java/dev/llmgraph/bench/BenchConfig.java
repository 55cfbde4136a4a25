package dev.llmgraph.bench;

import dev.llmgraph.model.Placement;

/**
 * What to measure, with llama-bench's meaning: prompt processing of {@code prompt} tokens in one batch
 * (pp512) and generation of {@code generate} tokens one at a time from an empty cache (tg128), each
 * repeated {@code repetitions} times after one warm-up run. The two engines take turns for
 * {@code rounds} rounds, so that a slow spell of a shared machine hits both.
 */
public record BenchConfig(int prompt, int generate, int repetitions, int rounds, int threads, String backend,
                          boolean flash, Placement placement) {
    public BenchConfig {
        if (prompt < 1 || generate < 1 || repetitions < 1 || rounds < 1 || threads < 1) {
            throw new IllegalArgumentException("prompt, generate, repetitions, rounds and threads must be at least 1, "
                    + "got " + prompt + ", " + generate + ", " + repetitions + ", " + rounds + ", " + threads);
        }
    }

    /** Everything on this process's backend. */
    public BenchConfig(int prompt, int generate, int repetitions, int rounds, int threads, String backend,
                       boolean flash) {
        this(prompt, generate, repetitions, rounds, threads, backend, flash, Placement.local());
    }

    public static BenchConfig cpu(int threads) {
        return new BenchConfig(512, 128, 3, 3, threads, "cpu", false);
    }
}
