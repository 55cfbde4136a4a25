package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.internal.NativeLibraries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Mutated GGUF files (see {@link GgufMutator}) are opened, read and copied into backend tensors in a child JVM
 * ({@link GgufFuzzChild}), so that a native crash is caught and counted instead of ending the test run. Every
 * case must end in a clean load or a {@link GgufException} with a message; no case may crash or hang.
 *
 * <p>Reproducible: {@code -Dllmgraph.fuzz.seed=...} and {@code -Dllmgraph.fuzz.cases=...} pick the cases; the
 * output names the seed and, for a failure, the case and its mutation.
 */
class GgufFuzzTest {
    private static final long SEED = Long.getLong("llmgraph.fuzz.seed", 20_250_601L);
    private static final int CASES = Integer.getInteger("llmgraph.fuzz.cases", 3000);
    private static final long SILENCE_LIMIT_MS = 30_000;

    /** Valid files to mutate: every value type plus tensors of several types; a custom alignment; metadata only. */
    private static List<Path> seedFiles(Path dir) {
        float[] values = new float[64 * 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        Path everything = dir.resolve("seed-everything.gguf");
        GgufMetadataTest.everyType()
                .addTensor("token_embd.weight", values, 64, 2)
                .addTensor("blk.0.attn_q.weight", GgmlType.F16, values, 64, 2)
                .addTensor("blk.0.ffn_up.weight", GgmlType.Q8_0, values, 64, 2)
                .addTensor("blk.0.ffn_down.weight", GgmlType.Q4_0, values, 32, 4)
                .addTensor("output_norm.weight", new float[] {1, 2, 3}, 3)
                .write(everything);
        Path aligned = dir.resolve("seed-aligned.gguf");
        new GgufWriter().putString("general.architecture", "llama").alignment(64)
                .putStrings("tokenizer.ggml.tokens", List.of("<s>", "</s>", "a", "b"))
                .put("tokenizer.ggml.scores", GgufValue.float32s(0, 0, -1, -2))
                .addTensor("a", values, 16, 8).addTensor("b", GgmlType.F16, new float[] {1, 2}, 2, 1, 1, 1)
                .write(aligned);
        Path metadataOnly = dir.resolve("seed-metadata.gguf");
        new GgufWriter().putUint32("llama.block_count", 2).putFloat32("llama.rope.freq_base", 10000f)
                .put("llama.head_counts", GgufValue.int32s(4, 4)).write(metadataOnly);
        return List.of(everything, aligned, metadataOnly);
    }

    /** What a fuzz run saw: outcome line per case, crashes with their mutation, mutation per case. */
    record Run(Map<Integer, String> outcomes, Map<Integer, String> crashes, Map<Integer, String> mutations,
               int children) {}

    @Test
    void mutatedFilesEndInACleanLoadOrAGgufExceptionAndNeverCrashTheJvm(@TempDir Path dir) throws Exception {
        Run run = run(dir, seedFiles(dir), CASES, List.of());
        long clean = run.outcomes().values().stream().filter(o -> o.startsWith("CLEAN")).count();
        long rejected = run.outcomes().size() - clean;
        List<String> unexpected = new ArrayList<>();
        run.outcomes().forEach((id, outcome) -> {
            if (outcome.startsWith("REJECTED") && !outcome.matches("REJECTED GgufException: \\S.*")) {
                unexpected.add("case " + id + " (" + run.mutations().get(id) + "): " + outcome);
            }
        });
        System.out.printf("GGUF fuzz, seed %d: %d cases, %d clean loads, %d rejected with a GgufException, "
                + "%d crashes, %d other outcomes; %d child JVMs%n", SEED, CASES, clean, rejected - unexpected.size(),
                run.crashes().size(), unexpected.size(), run.children());
        Map<String, Long> distinct = new TreeMap<>();
        run.outcomes().values().stream().filter(o -> o.startsWith("REJECTED"))
                .map(o -> o.substring("REJECTED ".length()).replace(dir.toString(), "FILE")
                        .replaceAll("FILE/[^ :]*", "FILE").replaceAll("'[^']*'", "'S'")
                        .replaceAll("0x[0-9a-fA-F]+", "0xH").replaceAll("-?\\d+(\\.\\d+)?", "N"))
                .forEach(m -> distinct.merge(m, 1L, Long::sum));
        System.out.println("| GGUF | " + SEED + " | " + CASES + " | " + clean + " | " + (rejected - unexpected.size())
                + " | " + run.crashes().size() + " | 0 | " + unexpected.size() + " | " + distinct.size() + " |");
        System.out.println("GGUF: distinct refusals (count, normalised message)");
        distinct.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf("%6d  %s%n", e.getValue(), e.getKey()));
        run.crashes().forEach((id, why) -> System.out.println("crash: case " + id + ": " + why));
        unexpected.forEach(u -> System.out.println("unexpected: " + u));

        assertEquals(Map.of(), run.crashes(), "cases that crashed the JVM");
        assertEquals(List.of(), unexpected, "cases that ended in something other than a clean load or a GgufException");
        assertEquals(CASES, run.outcomes().size(), "every case reports an outcome");
        assertTrue(clean > 0 && rejected > CASES / 2, "the mutations exercise both outcomes: " + clean + " clean, "
                + rejected + " rejected");
    }

    /** The harness itself: a native abort in case 7 is counted as a crash and the cases after it still run. */
    @Test
    void aNativeAbortIsCountedAsACrashAndTheNextCasesStillRun(@TempDir Path dir) throws Exception {
        Run run = run(dir, seedFiles(dir), 12, List.of("-Dllmgraph.fuzz.abortAt=7"));
        assertEquals(java.util.Set.of(7), run.crashes().keySet());
        assertTrue(run.crashes().get(7).startsWith("exit 134 "), run.crashes().get(7)); // SIGABRT
        assertEquals(11, run.outcomes().size());
        assertEquals(2, run.children());
    }

    private static Run run(Path dir, List<Path> seeds, int cases, List<String> jvmOptions) throws Exception {
        Map<Integer, String> outcomes = new TreeMap<>();
        Map<Integer, String> crashes = new TreeMap<>();
        Map<Integer, String> mutations = new TreeMap<>();
        int next = 0;
        int children = 0;
        while (next < cases) {
            children++;
            Process child = start(dir, seeds, next, cases, jvmOptions);
            AtomicLong lastLine = new AtomicLong(System.currentTimeMillis());
            ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
            watchdog.scheduleAtFixedRate(() -> {
                if (System.currentTimeMillis() - lastLine.get() > SILENCE_LIMIT_MS) {
                    child.destroyForcibly();
                }
            }, 1, 1, TimeUnit.SECONDS);
            int current = -1;
            boolean done = false;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    lastLine.set(System.currentTimeMillis());
                    String[] parts = line.split(" ", 3);
                    switch (parts[0]) {
                        case "CASE" -> {
                            current = Integer.parseInt(parts[1]);
                            mutations.put(current, parts.length > 2 ? parts[2] : "");
                        }
                        case "CLEAN", "REJECTED" -> outcomes.put(Integer.parseInt(parts[1]),
                                parts[0] + (parts.length > 2 ? " " + parts[2] : ""));
                        case "DONE" -> done = true;
                        default -> { } // the JVM's own output, if any
                    }
                }
            } finally {
                watchdog.shutdownNow();
            }
            int exit = child.waitFor();
            if (done) {
                break;
            }
            if (current < 0 || outcomes.containsKey(current)) {
                fail("the fuzz child exited with " + exit + " outside a case; its stderr: "
                        + Files.readString(dir.resolve("child-stderr.txt")));
            }
            crashes.put(current, "exit " + exit + (exit == 137 ? " (killed after " + SILENCE_LIMIT_MS / 1000
                    + " s without output)" : "") + " during " + mutations.get(current));
            next = current + 1;
        }
        return new Run(outcomes, crashes, mutations, children);
    }

    private static Process start(Path dir, List<Path> seeds, int from, int to, List<String> jvmOptions)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dllmgraph.native.dir=" + NativeLibraries.directory(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GgufFuzzChild.class.getName(),
                Long.toString(SEED), Integer.toString(from), Integer.toString(to), dir.toString()));
        seeds.forEach(seed -> command.add(seed.toString()));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stderr.txt").toFile()))
                .start();
    }
}
