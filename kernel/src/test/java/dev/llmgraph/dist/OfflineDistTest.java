package dev.llmgraph.dist;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.ggml.Natives;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/llmgraph dist} makes a folder that runs with no JDK, Maven, npm, git or network. Built here (without
 * tests, from the modules this Maven run compiled), its launcher runs examples/quickstart.jsh from an empty HOME
 * with a PATH that holds only the build tools, so the native libraries are compiled from the llama.cpp archive
 * inside the folder (several minutes on 2 cores); then a notebook runs there, with no Jupyter or Python.
 */
class OfflineDistTest {
    /** What native/build.sh and the launcher call; java, mvn, npm and git are left out on purpose. */
    private static final List<String> REQUIRED_TOOLS = List.of("bash", "env", "cat", "cut", "dirname", "mkdir", "rm",
            "ls", "sort", "tr", "head", "tail", "sha256sum", "nproc", "touch", "readlink", "uname", "ln", "cp", "sed",
            "grep", "cmake", "make", "gcc", "g++", "as", "ld", "ar", "ranlib", "xz", "tar");
    /** Called by cmake or the compilers on some systems; linked when present. */
    private static final List<String> OPTIONAL_TOOLS = List.of("sh", "cc", "c++", "cpp", "mktemp", "basename", "id",
            "date", "stat", "mv", "wc", "find", "awk", "nm", "strip", "objcopy", "objdump", "xargs", "expr", "cmp",
            "chmod");
    private static final List<String> FORBIDDEN_TOOLS = List.of("java", "javac", "mvn", "npm", "node", "git");
    private static final Duration LIMIT = Duration.ofMinutes(40);

    @TempDir
    static Path work;
    static Path dist;
    static Path archive;

    @BeforeAll
    static void buildTheDist() throws Exception {
        Path repo = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
        Path source = Natives.cacheDirectory().resolve("src/node-llama-cpp-3.22.1");
        assumeTrue(Files.isDirectory(source.resolve(".git")),
                "the pinned llama.cpp source is not in " + source + "; run bin/llmgraph build-native once");
        long started = System.nanoTime();
        Result built = run(List.of(repo.resolve("bin/dist.sh").toString(), "--out", work.resolve("out").toString()),
                Map.of("JAVA_HOME", System.getProperty("java.home")), null, repo);
        System.out.printf("bin/dist.sh took %d s%n%s%n", seconds(started), built.output());
        assertEquals(0, built.status(), "bin/dist.sh failed:\n" + built.output());
        dist = work.resolve("out/llmgraph-dist");
        archive = work.resolve("out/llmgraph-dist.tar.xz");
    }

    @Test
    void quickstartAndANotebookRunFromAnEmptyHomeWithOnlyBuildToolsOnThePath() throws Exception {
        Path home = Files.createDirectories(work.resolve("home"));
        long started = System.nanoTime();
        Result run = run(List.of(dist.resolve("bin/llmgraph").toString(), "run",
                dist.resolve("examples/quickstart.jsh").toString()), Map.of(), toolsOnly(), work);
        System.out.printf("offline quickstart, native build from the archive included, took %d s%n%s%n",
                seconds(started), run.output());
        assertEquals(0, run.status(), "the dist's quickstart failed:\n" + run.output());
        assertTrue(run.output().contains("llmgraph native: unpacking the llama.cpp source from "
                + dist.resolve("native/llama.cpp-src.tar.xz")), run.output());
        // The parameter totals quickstart.jsh prints for its two specs, then both generations.
        assertTrue(Pattern.compile("(?s)small-llama.*total\\s+38,543,872.*small-bloom.*total\\s+41,605,120"
                + ".*small-llama: generated \\[(\\d+, ){19}\\d+\\].*small-bloom: generated \\[(\\d+, ){19}\\d+\\]")
                .matcher(run.output()).find(), run.output());
        Path nativeBuild = home.resolve(".cache/llmgraph/native/current-cpu");
        String expected = Files.readString(dist.resolve("native/llama.cpp-src.tar.xz.sha256")).split(" ")[0];
        assertTrue(Files.readString(nativeBuild.resolve("source-archive.sha256")).startsWith(expected + "  "),
                "build.sh records the archive it built from");

        // A notebook runs there too, with no Jupyter or Python on the PATH, its outputs kept.
        Path executed = work.resolve("executed/00-kernel-check.ipynb");
        Result notebook = run(List.of(dist.resolve("bin/llmgraph").toString(), "run",
                dist.resolve("notebooks/00-kernel-check.ipynb").toString(), "--out", executed.toString()), Map.of(),
                toolsOnly(), work);
        assertEquals(0, notebook.status(), "the dist's notebook run failed:\n" + notebook.output());
        assertTrue(notebook.output().contains("mul_mat agrees with plain Java\n"), notebook.output());
        List<String> kinds = new ArrayList<>();
        new ObjectMapper().readTree(executed.toFile()).path("cells").forEach(cell ->
                cell.path("outputs").forEach(output -> kinds.add(output.path("output_type").asText())));
        assertEquals(List.of("stream", "execute_result", "stream", "display_data", "execute_result"), kinds);

        // The doctor finds the dist's runtime and the build just made, and has nothing to fix on a CPU machine.
        Result doctor = run(List.of(dist.resolve("bin/llmgraph").toString(), "doctor"), Map.of(), toolsOnly(), work);
        assertEquals(0, doctor.status(), doctor.output());
        List<String> lines = doctor.output().lines().toList();
        assertEquals("llmgraph doctor: dist folder " + dist, lines.getFirst(), doctor.output());
        assertTrue(lines.get(1).startsWith("ok   java      ") && lines.get(1).endsWith(" at " + dist.resolve("runtime")
                + " (the dist's own runtime)"), doctor.output());
        assertEquals("ok   natives   " + nativeBuild.toRealPath().resolve("lib") + " (CPU build, in the cache)",
                lines.get(2));
        assertTrue(lines.contains("--   jupyter   a dist folder runs notebooks without Jupyter: bin/llmgraph run "
                + "NOTEBOOK.ipynb [--out EXECUTED.ipynb]"), doctor.output());
        assertEquals("nothing to fix", lines.getLast());
    }

    @Test
    void commandsThatNeedTheCheckoutSaySoInOneLine() throws Exception {
        for (String command : List.of("test", "notebook", "dist")) {
            Result result = run(List.of(dist.resolve("bin/llmgraph").toString(), command), Map.of(), toolsOnly(), work);
            assertEquals(1, result.status(), command);
            assertEquals("llmgraph: '" + command + "' needs the source checkout; this dist folder runs run, jshell, "
                    + "logits, embed, parity, bench, generate, convert, tokenize, java, build-native, doctor and check\n",
                    result.output(), command);
        }
        Result check = run(List.of(dist.resolve("bin/llmgraph").toString(), "check"), Map.of(), toolsOnly(), work);
        assertEquals(1, check.status());
        assertEquals("llmgraph: this dist folder has no tests; build it with bin/llmgraph dist --with-tests\n",
                check.output());
    }

    @Test
    void theArchiveStaysUnderItsSizeTarget() throws IOException {
        long mib = Files.size(archive) / (1024 * 1024);
        System.out.println("llmgraph-dist.tar.xz (without tests): " + mib + " MiB");
        assertTrue(mib < 40, "the dist archive is " + mib + " MiB; the target without tests is under 40");
    }

    /** A bin folder of links to the build tools only, as on a GPU server with no JDK, Maven, npm or git. */
    private static Path toolsOnly() throws IOException {
        Path bin = work.resolve("tools-bin");
        if (Files.isDirectory(bin)) {
            return bin;
        }
        Files.createDirectories(bin);
        for (String tool : REQUIRED_TOOLS) {
            Path found = onPath(tool);
            assertTrue(found != null, tool + " is not on the PATH; native/build.sh needs it (install it)");
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        for (String tool : OPTIONAL_TOOLS) {
            Path found = onPath(tool);
            if (found != null) {
                Files.createSymbolicLink(bin.resolve(tool), found);
            }
        }
        for (String tool : FORBIDDEN_TOOLS) {
            assertFalse(Files.exists(bin.resolve(tool)), tool);
        }
        return bin;
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private record Result(int status, String output) {}

    /**
     * Runs a command with output and errors together. With {@code toolsBin}, the environment is only HOME (the
     * empty work/home), PATH (that folder) and LANG: nothing from this machine's JDK, Maven or caches.
     */
    private static Result run(List<String> command, Map<String, String> extraEnv, Path toolsBin, Path dir)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        if (toolsBin != null) {
            builder.environment().clear();
            builder.environment().put("HOME", work.resolve("home").toString());
            builder.environment().put("PATH", toolsBin.toString());
            builder.environment().put("LANG", "C.UTF-8");
        }
        builder.environment().putAll(extraEnv);
        Path log = Files.createTempFile(work, "run", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        if (!process.waitFor(LIMIT.toMinutes(), TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " ran past " + LIMIT + ":\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static long seconds(long startedNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }
}
