package dev.llmgraph.kernel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The launcher's start-up cache (bin/aot.sh, JDK 25's ahead-of-time cache): trained into an empty cache folder by
 * the first run, in the background, and used by the next; ignored, quietly, where the class path changed or the
 * file is damaged; off with LLMGRAPH_AOT=0. The JVM itself reports whether it took the cache ({@code -Xlog:aot}:
 * "Using AOT-linked classes: true"). A cache takes only jars, so the launcher gets a class path of jars here: the
 * kernel module's classes packed by this test, then the jars Maven lists for it.
 */
class StartupCacheTest {
    private static final Path REPO = TestJvm.moduleDir().getParent();
    private static final String TOOK_THE_CACHE = "Using AOT-linked classes: true";

    @TempDir
    static Path work;
    static String jarClassPath;
    static Path script;

    @BeforeAll
    static void jarsAndScript() throws Exception {
        Path kernelJar = work.resolve("llmgraph-kernel.jar");
        Path jar = Path.of(System.getProperty("java.home"), "bin", "jar");
        Process pack = new ProcessBuilder(jar.toString(), "--create", "--file", kernelJar.toString(), "-C",
                TestJvm.moduleDir().resolve("target/classes").toString(), ".").inheritIO().start();
        assertEquals(0, pack.waitFor(), "jar --create of target/classes");
        String dependencies = Files.readString(TestJvm.moduleDir().resolve("target/classpath.txt")).strip();
        jarClassPath = kernelJar + java.io.File.pathSeparator + dependencies;
        script = Files.writeString(work.resolve("tiny.jsh"), """
                try (var model = Model.random(Presets.tiny(Presets.llama2_7b()), WeightInit.gpt2(1),
                        ModelOptions.cpu().withThreads(2))) {
                    System.out.println(model.generate(new int[] {1, 2, 3}, GenerationConfig.greedy(4)).stopped());
                }
                """);
    }

    @Test
    void theFirstRunTrainsTheCacheAndTheNextRunStartsFromIt() throws Exception {
        Path cache = work.resolve("trained");
        Result first = run(cache, "1", jarClassPath);
        assertEquals(new Result(0, "max tokens (4)\n"), first, "the first run prints what it always did");
        Path file = awaitCacheFile(cache);

        Result next = run(cache, "verbose", jarClassPath);
        assertEquals(0, next.status(), next.output());
        assertTrue(next.output().contains("llmgraph aot: using " + file + "\n"), next.output());
        assertTrue(next.output().contains(TOOK_THE_CACHE), next.output());
        assertTrue(next.output().endsWith("max tokens (4)\n"), next.output());

        Result again = llmgraph(cache, "1", jarClassPath, List.of("aot"));
        assertEquals(new Result(0, "llmgraph: start-up cache " + file + "\n"), again, "aot reuses the cache");

        // Method profiles (JEP 515) only from 4 cores on: below that, the compilations they start at once take a
        // core from ggml's threads during a fresh JVM's first load and tokens (bin/aot.sh, aot_training_flags).
        String training = kernelStart(file, jarClassPath, "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+AOTPrintTrainingInfo");
        assertTrue(training.contains("Archived TrainingData Dictionary"), training);
        boolean profiles = training.lines().anyMatch(line -> line.matches("\\s+\\d+: 0x\\p{XDigit}+ .*"));
        assertEquals(Runtime.getRuntime().availableProcessors() >= 4, profiles,
                "method profiles in the cache with " + Runtime.getRuntime().availableProcessors() + " cores");

        // The kernelspec starts the kernel with the cache, through bin/aot-exec.sh.
        assertEquals(0, llmgraph(cache, "1", jarClassPath, List.of("kernel", "install")).status());
        String kernelJson = Files.readString(work.resolve("jupyter-data/kernels/llmgraph/kernel.json"));
        assertTrue(kernelJson.contains("\"" + REPO.resolve("bin/aot-exec.sh") + "\""), kernelJson);
        assertTrue(kernelJson.contains("\"-XX:AOTCache=" + file + "\""), kernelJson);
    }

    @Test
    void aDamagedCacheOrARebuiltJarIsLeftAsideQuietly() throws Exception {
        Path cache = work.resolve("stale");
        Path jar = work.resolve("rebuilt.jar");
        Files.copy(work.resolve("llmgraph-kernel.jar"), jar);
        String classPath = jar + jarClassPath.substring(jarClassPath.indexOf(java.io.File.pathSeparator));
        assertEquals(0, llmgraph(cache, "1", classPath, List.of("aot")).status());
        Path trained = cacheFiles(cache).getFirst();
        assertTrue(kernelStart(trained, classPath, "-Xlog:aot:stderr").contains(TOOK_THE_CACHE), "a whole cache");

        // A damaged cache file: the launcher trains it again rather than use it, and a JVM handed it (a kernel's)
        // does without it and says nothing.
        Files.write(trained, new byte[4096]);
        Result damaged = run(cache, "verbose", classPath);
        assertTrue(damaged.output().startsWith("llmgraph aot: no cache for this JDK and class path yet ("),
                damaged.output());
        assertTrue(damaged.output().endsWith("max tokens (4)\n"), damaged.output());
        String quiet = kernelStart(trained, classPath, "-Xlog:aot=off", "-Xlog:cds=off");
        assertTrue(quiet.startsWith("openjdk version") && !quiet.contains("[aot"), quiet);

        // A rebuilt jar (another time stamp) is another key for the launcher, and bin/aot-exec.sh (the kernel's
        // way in) drops the old cache; the JVM would take it and run the classes it holds.
        assertEquals(0, llmgraph(cache, "1", classPath, List.of("aot")).status());
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        String kernel = kernelStart(trained, classPath, "-Xlog:aot:stderr");
        assertTrue(kernel.contains("Using AOT-linked classes: false"), kernel);
        Result verbose = run(cache, "verbose", classPath);
        assertTrue(verbose.output().startsWith("llmgraph aot: no cache for this JDK and class path yet ("),
                verbose.output());
        assertFalse(verbose.output().contains(TOOK_THE_CACHE), verbose.output());
    }

    /** What the JVM prints when bin/aot-exec.sh starts it with the cache, as kernel.json would. */
    private static String kernelStart(Path cacheFile, String classPath, String... logFlags) throws Exception {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/aot-exec.sh").toString(),
                TestJvm.java().toString(), "--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=" + cacheFile));
        command.addAll(List.of(logFlags));
        command.addAll(List.of("-cp", classPath, "-version"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output;
    }

    @Test
    void llmgraphAotZeroTurnsTheCacheOff() throws Exception {
        Path cache = work.resolve("off");
        Result off = llmgraph(cache, "0", jarClassPath, List.of("aot"));
        assertEquals(new Result(1, "llmgraph: no start-up cache: LLMGRAPH_AOT=0 turns it off, or the class path has "
                + "folders newer than their jars (rebuild with bin/llmgraph run or mvn package)\n"), off);
        Result run = llmgraph(cache, "0", jarClassPath, List.of("run", script.toString()), "-Xlog:aot:stderr");
        assertTrue(run.output().contains("Using AOT-linked classes: false"), run.output());
        assertTrue(run.output().endsWith("max tokens (4)\n"), run.output());
        assertFalse(Files.exists(cache.resolve("aot")), "nothing trained");
    }

    private static Path awaitCacheFile(Path cache) throws Exception {
        return awaitCacheFile(cache, 1).getFirst();
    }

    /** Waits for the background training to leave {@code count} caches (60 s at most). */
    private static List<Path> awaitCacheFile(Path cache, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<Path> files = cacheFiles(cache);
            if (files.size() >= count) {
                return files;
            }
            Thread.sleep(250);
        }
        fail("no start-up cache in " + cache + " after 60 s");
        return List.of();
    }

    private static List<Path> cacheFiles(Path cache) throws IOException {
        Path aot = cache.resolve("aot");
        if (!Files.isDirectory(aot)) {
            return List.of();
        }
        // key folders only: a training's lock folder and temporary file come and go while this looks
        try (Stream<Path> keys = Files.list(aot)) {
            return keys.map(key -> key.resolve("llmgraph.aot")).filter(Files::isRegularFile).sorted().toList();
        }
    }

    record Result(int status, String output) {}

    private static Result run(Path cache, String aot, String classPath) throws Exception {
        return llmgraph(cache, aot, classPath, List.of("run", script.toString()));
    }

    private static Result llmgraph(Path cache, String aot, String classPath, List<String> args) throws Exception {
        return llmgraph(cache, aot, classPath, args, "");
    }

    /** {@code bin/llmgraph ARGS} with LLMGRAPH_AOT={@code aot}, a class path of jars and a private cache folder. */
    private static Result llmgraph(Path cache, String aot, String classPath, List<String> args, String javaOptions)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/llmgraph").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("LLMGRAPH_CLASSPATH", classPath);
        String nativeDir = System.getProperty("llmgraph.native.dir", "");
        if (!nativeDir.isBlank()) {
            env.put("LLMGRAPH_NATIVE_DIR", nativeDir);
        }
        env.put("LLMGRAPH_CACHE", cache.toString());
        env.put("LLMGRAPH_AOT", aot);
        env.put("LLMGRAPH_JAVA_OPTS", "-Djava.util.prefs.userRoot=" + work.resolve("prefs") + " " + javaOptions);
        env.put("JUPYTER_DATA_DIR", work.resolve("jupyter-data").toString());
        env.remove("LLMGRAPH_CUDA");
        env.remove("LLMGRAPH_BACKEND");
        Path log = Files.createTempFile(work, "llmgraph", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(command + " ran past 2 minutes:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
