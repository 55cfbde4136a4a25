package dev.llmgraph.kernel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Jupyter kernelspec ({@code kernels/llmgraph/kernel.json}) that tells Jupyter how to start this
 * kernel: the same java, JVM flags and class path as the launcher that installs it.
 */
public final class KernelSpec {
    /** The folder name under {@code kernels/}, and what notebooks name in their metadata. */
    public static final String NAME = "llmgraph";
    public static final String DISPLAY_NAME = "Java (llmgraph)";

    /** What {@link #install} did. */
    public enum Change { INSTALLED, UPDATED, UNCHANGED }

    private static final String AOT_CACHE_FLAG = "-XX:AOTCache=";

    /**
     * The kernel's JIT: C1 alone, without C2. Every cell is JShell compiling it with javac, then mostly native
     * calls; C2 compiling javac's hot methods, and C1 profiling them for C2, slow those compilations down on the
     * few cores of a learner's machine. On 2 cores the first cell's result came 0.7 s sooner with it, and four of
     * five tutorial notebooks ran 14-22% faster; long Java loops lose (the tokenizer notebook 13%, a trained
     * tokenizer's encoding of a whole book 1.6x), see bench/NOTES.md. A flag of the installer's own that picks the
     * compilers (for instance {@code LLMGRAPH_JAVA_OPTS=-XX:TieredStopAtLevel=4 bin/llmgraph kernel install})
     * replaces it.
     */
    static final String QUICK_JIT_FLAG = "-XX:TieredStopAtLevel=1";

    private static final List<String> JIT_CHOICES = List.of("-XX:TieredStopAtLevel=", "-XX:CompilationMode=",
            "-XX:+TieredCompilation", "-XX:-TieredCompilation");

    private KernelSpec() {}

    /**
     * The command line Jupyter runs, ending with the {@code {connection_file}} placeholder: {@code jvmFlags} and the
     * kernel's JIT ({@link #QUICK_JIT_FLAG}) unless they choose one. With the launcher's
     * start-up cache among the flags ({@code -XX:AOTCache=}, see bin/aot.sh), the JVM starts through
     * {@code bin/aot-exec.sh}, which drops the cache once a jar of the class path has been rebuilt: kernel.json
     * outlives rebuilds, and the JVM itself would run the classes the cache was trained with.
     */
    public static List<String> argv(Path java, List<String> jvmFlags, String classPath) {
        List<String> argv = new ArrayList<>();
        if (jvmFlags.stream().anyMatch(flag -> flag.startsWith(AOT_CACHE_FLAG))) {
            String home = System.getProperty("llmgraph.home", "");
            Path exec = Path.of(home.isEmpty() ? "." : home, "bin", "aot-exec.sh");
            if (home.isEmpty() || !Files.isExecutable(exec)) {
                return argv(java, jvmFlags.stream().filter(flag -> !flag.startsWith(AOT_CACHE_FLAG)).toList(),
                        classPath);
            }
            argv.add(exec.toString());
        }
        argv.add(java.toString());
        argv.addAll(jvmFlags);
        if (jvmFlags.stream().noneMatch(flag -> JIT_CHOICES.stream().anyMatch(flag::startsWith))) {
            argv.add(QUICK_JIT_FLAG);
        }
        argv.add("-cp");
        argv.add(classPath);
        argv.add(LlmgraphKernel.class.getName());
        argv.add("{connection_file}");
        return argv;
    }

    /** The command line for a kernel started like this JVM: its java, its flags, its class path. */
    public static List<String> argvOfThisJvm() {
        List<String> flags = new ArrayList<>();
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger or agent of the installing JVM has no business in every notebook's kernel.
            if (!flag.startsWith("-agentlib") && !flag.startsWith("-javaagent") && !flag.startsWith("-Xdebug")) {
                flags.add(flag);
            }
        }
        return argv(Path.of(System.getProperty("java.home"), "bin", "java"), flags,
                System.getProperty("java.class.path"));
    }

    /**
     * kernel.json's text. {@code interrupt_mode: message} makes Jupyter send interrupts as messages; the
     * default, SIGINT, would end the JVM.
     */
    public static String json(List<String> argv) {
        StringBuilder json = new StringBuilder("{\n  \"argv\": [\n");
        for (int i = 0; i < argv.size(); i++) {
            json.append("    ").append(quote(argv.get(i))).append(i < argv.size() - 1 ? ",\n" : "\n");
        }
        json.append("  ],\n")
                .append("  \"display_name\": ").append(quote(DISPLAY_NAME)).append(",\n")
                .append("  \"language\": \"java\",\n")
                .append("  \"interrupt_mode\": \"message\",\n")
                .append("  \"metadata\": {\"debugger\": false}\n")
                .append("}\n");
        return json.toString();
    }

    /** Where Jupyter reads the kernelspec in its data folder {@code dataDir}: {@code kernels/llmgraph/kernel.json}. */
    public static Path file(Path dataDir) {
        return dataDir.resolve("kernels").resolve(NAME).resolve("kernel.json");
    }

    /** Writes {@link #file(Path)} unless it already says the same. */
    public static Change install(Path dataDir, List<String> argv) throws IOException {
        Path file = file(dataDir);
        String text = json(argv);
        if (Files.isRegularFile(file)) {
            if (Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                return Change.UNCHANGED;
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return Change.UPDATED;
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return Change.INSTALLED;
    }

    /**
     * The user's Jupyter data folder: {@code $JUPYTER_DATA_DIR}, else what {@code jupyter --data-dir}
     * says, else {@code ~/.local/share/jupyter} (where Jupyter looks on Linux when nothing is set).
     */
    public static Path userDataDir() {
        String fromEnvironment = System.getenv("JUPYTER_DATA_DIR");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        Path jupyter = jupyterExecutable();
        if (jupyter != null) {
            try {
                Process p = new ProcessBuilder(jupyter.toString(), "--data-dir").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty() && !out.contains("\n")) {
                    return Path.of(out);
                }
            } catch (IOException e) {
                // fall back to the default below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("jupyter");
    }

    /** {@code /usr/bin/jupyter}, else {@code jupyter} on the PATH; null when there is none. */
    public static Path jupyterExecutable() {
        Path debian = Path.of("/usr/bin/jupyter");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "jupyter");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
