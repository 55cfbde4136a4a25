package dev.llmgraph.bench;

import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.model.Placement;

import java.util.List;

/**
 * What to measure, with llama-bench's meaning: prompt processing of {@code prompt} tokens in one batch
 * (pp512) and generation of {@code generate} tokens one at a time (tg128), each repeated {@code repetitions}
 * times after one warm-up run; 0 leaves that test out, as llama-bench's {@code -p 0} and {@code -n 0}. The two engines take turns for {@code rounds} rounds, so that a slow spell of a
 * shared machine hits both.
 *
 * @param depths llama-bench's {@code -d}: each test runs once per depth, after that many random tokens were fed
 *               untimed into an emptied cache ({@code pp512 @ d4096}); depth 0 is the empty cache of
 *               {@code pp512}
 */
public record BenchConfig(int prompt, int generate, int repetitions, int rounds, int threads, String backend,
                          boolean flash, Placement placement, List<Integer> depths) {
    public BenchConfig {
        if (prompt < 0 || generate < 0 || prompt + generate == 0 || repetitions < 1 || rounds < 1 || threads < 1) {
            throw new IllegalArgumentException("prompt and generate must be at least 0 and not both 0 (0 leaves that "
                    + "test out, as llama-bench's -p 0 and -n 0), repetitions, rounds and threads at least 1; got "
                    + prompt + ", " + generate + ", " + repetitions + ", " + rounds + ", " + threads);
        }
        CpuThreads.requireAtMostMax("threads", threads);
        depths = List.copyOf(depths);
        if (depths.isEmpty() || depths.stream().anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException("depths must be one or more whole numbers of at least 0, got " + depths);
        }
    }

    /** At depth 0 only, as llama-bench without {@code -d}. */
    public BenchConfig(int prompt, int generate, int repetitions, int rounds, int threads, String backend,
                       boolean flash, Placement placement) {
        this(prompt, generate, repetitions, rounds, threads, backend, flash, placement, List.of(0));
    }

    /** Everything on this process's backend, at depth 0. */
    public BenchConfig(int prompt, int generate, int repetitions, int rounds, int threads, String backend,
                       boolean flash) {
        this(prompt, generate, repetitions, rounds, threads, backend, flash, Placement.local());
    }

    public static BenchConfig cpu(int threads) {
        return new BenchConfig(512, 128, 3, 3, threads, "cpu", false);
    }

    /** Whether every test starts from an empty cache: llama-bench without {@code -d}. */
    public boolean emptyCacheOnly() {
        return depths.equals(List.of(0));
    }

    /** The depths as llama-bench's {@code -d} takes them: {@code 0,512,4096}. */
    public String depthsArgument() {
        return String.join(",", depths.stream().map(String::valueOf).toList());
    }

    /** The deepest depth. */
    public int maxDepth() {
        return depths.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** The context the deepest test needs, as llama-bench sizes it: n_ctx = n_prompt + n_gen + n_depth. */
    public int contextLength() {
        return prompt + generate + maxDepth();
    }

    /**
     * The KV cache llama.cpp gives a test of {@code tokens} tokens at {@code depth}: llama-bench sizes each test's
     * context by its own tokens (a pp test's holds no generated ones, a tg test's no prompt) and the depth, and
     * llama.cpp pads a context to a multiple of 256 ({@code llama_context}).
     */
    public static int llamaCppCache(int tokens, int depth) {
        return (tokens + depth + 255) / 256 * 256;
    }

    /** The context a model is loaded with so that every test's cache fits: the largest {@link #llamaCppCache}. */
    public int loadedContext() {
        return llamaCppCache(Math.max(prompt, generate), maxDepth());
    }

    /** llama-bench's name of a test at {@code depth}: {@code pp512}, or {@code pp512 @ d4096}. */
    public static String testName(String test, int depth) {
        return depth == 0 ? test : test + " @ d" + depth;
    }
}
