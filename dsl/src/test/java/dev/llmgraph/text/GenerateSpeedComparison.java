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
 * Per round: bench's tg (random tokens fed one at a time, after its 2 s warm-up), then generate five times (greedy,
 * the pieces decoded and handed to a listener) and the same on ids alone ({@code Model.generate}). On one thread
 * ggml computes on the calling thread, so that thread's CPU time per token is also printed: it moves far less
 * than wall time on a shared machine.
 */
public final class GenerateSpeedComparison {
    private static final String PROMPT = "Call me Ishmael.";
    private static final int GENERATIONS = 5;

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
            int[] random = new SplittableRandom(1234).ints(newTokens, 0, text.model().spec().vocabSize()).toArray();
            for (int round = 1; round <= rounds; round++) {
                BenchResult tg = LlmgraphBench.run(text.model(), gguf.getFileName().toString(), "as stored",
                        new BenchConfig(8, newTokens, GENERATIONS, 1, threads, "cpu", false)).results().get(1);
                double[] generate = new double[GENERATIONS], ids = new double[GENERATIONS];
                double[] generateCpu = new double[GENERATIONS], feedCpu = new double[GENERATIONS];
                for (int g = 0; g < GENERATIONS; g++) {
                    long c0 = cpu.getCurrentThreadCpuTime();
                    TextGeneration generation = text.generate(PROMPT, greedy, quiet);
                    generateCpu[g] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / generation.ids().length;
                    generate[g] = generation.generation().tokensPerSecond();
                    ids[g] = text.model().generate(text.encode(PROMPT), greedy).tokensPerSecond();
                    try (Session session = text.model().session(newTokens)) {
                        c0 = cpu.getCurrentThreadCpuTime();
                        for (int token : random) {
                            session.feed(token);
                        }
                        feedCpu[g] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / newTokens;
                    }
                }
                System.out.printf("round %d (load %s): bench tg%d %.1f tok/s, generate %.1f, on ids %.1f (medians); "
                                + "generate / bench %.2f%n", round, loadAverage(), newTokens, tg.medianTs(),
                        median(generate), median(ids), median(generate) / tg.medianTs());
                if (threads == 1) {
                    System.out.printf("  CPU ms per token: bench's feed loop %.3f, generate (prompt and all) %.3f%n",
                            median(feedCpu), median(generateCpu));
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
