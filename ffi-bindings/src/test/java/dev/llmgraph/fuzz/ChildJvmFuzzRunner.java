package dev.llmgraph.fuzz;

import dev.llmgraph.ggml.internal.NativeLibraries;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a batch of fuzz cases of one {@link FuzzTarget} in child JVMs ({@link FuzzChild}), so that nothing a case
 * does can end the test run: a native abort or an exit ends the child, is counted as a crash of the case it was
 * in, and a new child goes on from the next case; a case past its time limit is a hang (the child reports it and
 * stops; a child that goes silent for longer is stopped from here). Each failure names its case and seed and
 * the properties that replay it alone ({@link FuzzResult#replay}).
 */
public final class ChildJvmFuzzRunner {
    /** JVM start and the target's own preparation, before the first case begins. */
    private static final long STARTUP_LIMIT_MS = 120_000;

    private final String format;
    private final Class<? extends FuzzTarget> target;
    private final Duration caseLimit;
    private final List<String> jvmOptions;

    /**
     * @param caseLimit  how long one case may run before it counts as a hang
     * @param jvmOptions options for each child JVM (heap size, compiler), added to the ones every child gets
     */
    public ChildJvmFuzzRunner(String format, Class<? extends FuzzTarget> target, Duration caseLimit,
                              List<String> jvmOptions) {
        this.format = format;
        this.target = target;
        this.caseLimit = caseLimit;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Cases {@code from} (inclusive) to {@code to} (exclusive) of {@code seed}, in as many children as it takes. */
    public FuzzResult run(long seed, int from, int to, Path work) throws IOException, InterruptedException {
        FuzzResult result = new FuzzResult(format, seed);
        int next = from;
        while (next < to) {
            result.childStarted();
            next = runChild(result, seed, next, to, work);
        }
        return result;
    }

    /** One child from case {@code from}: returns the case the next child starts at ({@code to} when all ran). */
    private int runChild(FuzzResult result, long seed, int from, int to, Path work)
            throws IOException, InterruptedException {
        Path stderr = work.resolve(format.replaceAll("\\W", "_") + "-child-" + from + "-stderr.txt");
        Process child = start(seed, from, to, work, stderr);
        AtomicLong lastLine = new AtomicLong(System.currentTimeMillis());
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean silenced = new AtomicBoolean();
        long silenceLimit = caseLimit.toMillis() + Math.max(caseLimit.toMillis(), 2_000);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        watchdog.scheduleAtFixedRate(() -> {
            long quiet = System.currentTimeMillis() - lastLine.get();
            if (quiet > (started.get() ? silenceLimit : STARTUP_LIMIT_MS)) {
                silenced.set(true);
                child.destroyForcibly();
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        int current = -1;
        String ended = null; // the outcome the current case reported, if any
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                lastLine.set(System.currentTimeMillis());
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case "CASE" -> {
                        started.set(true);
                        current = Integer.parseInt(f[1]);
                        ended = null;
                    }
                    case "ACCEPTED" -> result.accept();
                    case "REFUSED" -> result.refused(f[2]);
                    case "UNHELPFUL" -> result.unhelpful(current, f[2], f[3]);
                    case "CRASHED" -> result.crashed(current, f[2], "a Java error: " + f[3]);
                    case "HUNG" -> result.hung(current, f[2], f[3]);
                    case "DONE" -> { return to; }
                    default -> { continue; } // not a report: output of the code under test
                }
                if (!f[0].equals("CASE")) {
                    ended = f[0];
                }
            }
        } finally {
            watchdog.shutdownNow();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
        int exit = child.exitValue();
        if (current < 0 || (ended != null && !ended.equals("CRASHED") && !ended.equals("HUNG"))) {
            throw new IllegalStateException("the " + format + " fuzz child (cases " + from + " to " + to + ") exited with "
                    + exit + (silenced.get() ? " (killed: no output for too long)" : "") + " outside a case"
                    + (current < 0 ? "" : ", after case " + current + " had ended")
                    + "; the end of its stderr: " + tail(stderr, 2000));
        }
        if (ended == null) {
            if (silenced.get()) {
                result.hung(current, "", "no output for " + silenceLimit + " ms, so the child JVM was killed");
            } else {
                result.crashed(current, "", "the child JVM died with " + exitMeaning(exit) + nativeMessage(stderr));
            }
        }
        return current + 1;
    }

    private Process start(long seed, int from, int to, Path work, Path stderr) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dllmgraph.native.dir=" + NativeLibraries.directory(),
                "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + work.resolve("hs_err_%p.log")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FuzzChild.class.getName(),
                target.getName(), Long.toString(seed), Integer.toString(from), Integer.toString(to), work.toString(),
                Long.toString(caseLimit.toMillis())));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
        builder.environment().put("GGML_NO_BACKTRACE", "1"); // a crash is reported at once, without a debugger
        return builder.start();
    }

    private static String exitMeaning(int exit) {
        return switch (exit) {
            case 134 -> "exit 134 (SIGABRT: a native abort, such as a failed GGML_ASSERT)";
            case 137 -> "exit 137 (SIGKILL)";
            case 139 -> "exit 139 (SIGSEGV)";
            default -> "exit " + exit;
        };
    }

    /** ggml's own words for an abort, when it printed any. */
    private static String nativeMessage(Path stderr) throws IOException {
        List<String> asserts = Files.readAllLines(stderr, StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.contains("GGML_ASSERT") || l.contains("GGML_ABORT") || l.contains(": fatal error")).toList();
        return asserts.isEmpty() ? "" : ": " + asserts.getLast().strip();
    }

    private static String tail(Path file, int chars) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        return text.substring(Math.max(0, text.length() - chars));
    }
}
