package dev.llmgraph.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How tests start another JVM with llmgraph: the kernel module's classes and its runtime class path. */
public final class TestJvm {
    private TestJvm() {}

    /** The kernel module's folder (Surefire runs tests there and names it in {@code basedir}). */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** target/classes, then what Maven wrote to target/classpath.txt (dsl, ffi-bindings, the base kernel). */
    public static String classPath() {
        Path target = moduleDir().resolve("target");
        try {
            String dependencies = Files.readString(target.resolve("classpath.txt")).strip();
            return target.resolve("classes") + (dependencies.isEmpty() ? "" : java.io.File.pathSeparator + dependencies);
        } catch (IOException e) {
            throw new UncheckedIOException("target/classpath.txt is missing; build with mvn (it writes it)", e);
        }
    }

    /** The flags the launcher gives every JVM that touches the native libraries. */
    static List<String> flags() {
        List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        String nativeDir = System.getProperty("llmgraph.native.dir", "");
        if (!nativeDir.isBlank()) {
            flags.add("-Dllmgraph.native.dir=" + nativeDir);
        }
        return flags;
    }

    /** A java command line for {@code mainClass}. */
    static List<String> command(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java().toString());
        command.addAll(flags());
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }
}
