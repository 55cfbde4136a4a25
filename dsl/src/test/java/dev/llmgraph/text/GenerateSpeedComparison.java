package dev.llmgraph.text;

import dev.llmgraph.bench.BenchConfig;
import dev.llmgraph.bench.BenchResult;
import dev.llmgraph.bench.LlmgraphBench;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generation speed of {@link TextModel#generate} next to {@code bench}'s generation figure (tg) on the same GGUF,
 * threads and number of new tokens (a benchmark, not a test: timings vary by machine and load).
 * <pre>
 * cd dsl &amp;&amp; java --enable-native-access=ALL-UNNAMED -Dllmgraph.native.dir=... \
 *     -cp target/classes:target/test-classes:../ffi-bindings/target/classes:$(cat target/classpath.txt) \
 *     dev.llmgraph.text.GenerateSpeedComparison FILE.gguf [newTokens] [threads] [rounds]
 * </pre>
 * First one generation in a fresh JVM (what {@code bin/llmgraph generate} reports), then, after 2 s of warm-up as
 * bench has, rounds of: bench's tg figure itself, then 50 times in turn bench's tg loop (random tokens fed one at
 * a time to one session, reset each time), a generation (greedy, the pieces decoded and handed to a listener) and
 * one on ids alone ({@code Model.generate}); medians of each. On one thread
 * ggml computes on the calling thread, so that thread's CPU time per token is also printed: it moves far less
 * than wall time on a shared machine.
 */
public final class GenerateSpeedComparison {
    private static final String PROMPT = "Call me Ishmael.";
    private static final int GENERATIONS = 50;
    private static final long WARM_UP_NANOS = 2_000_000_000L;

    private GenerateSpeedComparison() {}

    public static void main(String[] args) throws IOException {
        Path gguf = Path.of(args[0]);
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        System.out.println("load average before: " + loadAverage());
        try (TextModel text = TextModel.load(gguf, ModelOptions.cpu().withThreads(threads))) {
            PieceListener quiet = new PieceListener() {
                @Override
                public void piece(String piece) {}

                @Override
                public void end() {}
            };
            GenerationConfig greedy = GenerationConfig.greedy(newTokens);
            TextGeneration cold = text.generate(PROMPT, greedy, quiet);
            System.out.printf("%s, %d threads, %d new tokens after '%s' (%d tokens)%n", gguf.getFileName(), threads,
                    newTokens, PROMPT, cold.promptIds().length);
            System.out.printf("generate, first call in this JVM (what bin/llmgraph generate reports): %.1f tok/s%n",
                    cold.generation().tokensPerSecond());
            // bench warms its loop up for 2 s before timing it; generate gets the same
            for (long start = System.nanoTime(); System.nanoTime() - start < WARM_UP_NANOS; ) {
                text.generate(PROMPT, greedy, quiet);
                text.model().generate(text.encode(PROMPT), greedy);
            }
            int[] random = new SplittableRandom(1234).ints(newTokens, 0, text.model().spec().vocabSize()).toArray();
            try (Session session = text.model().session(8 + newTokens)) { // bench's tg session: -p 8 -n newTokens
                for (int round = 1; round <= rounds; round++) {
                    BenchResult tg = LlmgraphBench.run(text.model(), gguf.getFileName().toString(), "as stored",
                            new BenchConfig(8, newTokens, 5, 1, threads, "cpu", false)).results().get(1);
                    double[] loop = new double[GENERATIONS], generate = new double[GENERATIONS];
                    double[] ids = new double[GENERATIONS], loopCpu = new double[GENERATIONS];
                    double[] generateCpu = new double[GENERATIONS];
                    for (int g = 0; g < GENERATIONS; g++) { // interleaved, so that load hits all three alike
                        session.reset();
                        long t0 = System.nanoTime(), c0 = cpu.getCurrentThreadCpuTime();
                        for (int token : random) {
                            session.feed(token);
                        }
                        loop[g] = newTokens / ((System.nanoTime() - t0) / 1e9);
                        loopCpu[g] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / newTokens;
                        c0 = cpu.getCurrentThreadCpuTime();
                        TextGeneration generation = text.generate(PROMPT, greedy, quiet);
                        generateCpu[g] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / generation.ids().length;
                        generate[g] = generation.generation().tokensPerSecond();
                        ids[g] = text.model().generate(text.encode(PROMPT), greedy).tokensPerSecond();
                    }
                    System.out.printf("round %d (load %s): bench tg%d %.1f tok/s; medians of %d interleaved runs: "
                                    + "bench's loop %.1f, generate %.1f, on ids %.1f; generate / bench's loop %.2f%n",
                            round, loadAverage(), newTokens, tg.medianTs(), GENERATIONS, median(loop),
                            median(generate), median(ids), median(generate) / median(loop));
                    if (threads == 1) {
                        System.out.printf("  CPU ms per token: bench's loop %.3f, generate (prompt and all) %.3f%n",
                                median(loopCpu), median(generateCpu));
                    }
                }
            }
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }
}
