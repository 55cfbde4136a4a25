package dev.llmgraph.ggml;

import java.util.Optional;

/**
 * How many CPU threads ggml can be asked for. ggml's own limit is {@code GGML_MAX_N_THREADS} (512): its thread
 * pool sizes its per-thread tables by it. Far above it, starting the threads fails inside the native code and
 * ends the process (100,000 threads did on a 2-core machine), so every thread count is checked here first.
 */
public final class CpuThreads {
    /** ggml's {@code GGML_MAX_N_THREADS}. */
    public static final int MAX = 512;

    private CpuThreads() {}

    /** One thread per core, as many as ggml runs: the default thread count. */
    public static int perCore() {
        return Math.min(Runtime.getRuntime().availableProcessors(), MAX);
    }

    /** Why ggml cannot run {@code threads} threads, or empty when it can (counts below 1 are the caller's). */
    public static Optional<String> refusal(int threads) {
        if (threads <= MAX) {
            return Optional.empty();
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return Optional.of("ggml runs at most " + MAX + " CPU threads; this machine has " + cores + " cores, and "
                + "threads beyond the cores only wait for each other, so choose at most " + Math.min(cores, MAX));
    }

    /** Refuses {@code threads} above {@link #MAX} in words: {@code label = threads: why}. */
    public static void requireAtMostMax(String label, int threads) {
        refusal(threads).ifPresent(why -> {
            throw new IllegalArgumentException(label + " = " + threads + ": " + why);
        });
    }
}
