package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A missing native piece explains itself: each case starts a child JVM (a failed library load cannot be
 * undone inside one) and checks the sentence it gets, word for word, on the first try and on the second
 * (no class left half-initialised, which would answer the second try with a bare NoClassDefFoundError).
 */
class NativeLoadingTest {
    @TempDir
    Path empty;

    @Test
    void aFolderWithoutTheLibrariesSaysWhichIsMissingAndHowToBuildIt() throws Exception {
        assertEquals("NativeLibraryException: libggml-base.so not found in " + empty + "; run native/build.sh (or "
                        + "bin/llmgraph build-native) to build it",
                probe(List.of("--enable-native-access=ALL-UNNAMED", "-Dllmgraph.native.dir=" + empty)));
    }

    @Test
    void aFolderThatDoesNotExistIsNamed() throws Exception {
        Path nowhere = empty.resolve("nowhere");
        assertEquals("NativeLibraryException: " + nowhere + " (from the system property llmgraph.native.dir) is not "
                        + "a folder; run native/build.sh (or bin/llmgraph build-native), which prints the folder to use",
                probe(List.of("--enable-native-access=ALL-UNNAMED", "-Dllmgraph.native.dir=" + nowhere)));
    }

    @Test
    void withoutNativeAccessTheFlagIsNamed() throws Exception {
        assertEquals("NativeLibraryException: native access is not enabled for the class path; run java with "
                        + "--enable-native-access=ALL-UNNAMED (bin/llmgraph does this for you)",
                probe(List.of("-Dllmgraph.native.dir=" + System.getProperty("llmgraph.native.dir"))));
    }

    /**
     * A library that is there but needs one that is not (a CUDA build copied to a machine without CUDA's libraries):
     * the sentence names the missing one, as the system's loader does, not only the file that is there.
     */
    @Test
    void aLibraryWhoseDependencyIsMissingNamesTheDependency() throws Exception {
        Path stub = empty.resolve("stub");
        Files.createDirectories(stub);
        Files.writeString(stub.resolve("absent.c"), "void llmgraph_absent(void) {}\n");
        Files.writeString(empty.resolve("base.c"), "void llmgraph_absent(void);\nvoid base(void) { llmgraph_absent(); }\n");
        run("gcc", "-shared", "-fPIC", "-Wl,-soname,libllmgraph-absent.so", "-o",
                stub.resolve("libllmgraph-absent.so").toString(), stub.resolve("absent.c").toString());
        Path base = empty.resolve("libggml-base.so");
        run("gcc", "-shared", "-fPIC", "-o", base.toString(), empty.resolve("base.c").toString(), "-L" + stub,
                "-lllmgraph-absent");
        assertEquals("NativeLibraryException: could not open " + base + " (libllmgraph-absent.so: cannot open shared "
                        + "object file: No such file or directory); if a library it needs is missing, put its folder on "
                        + "LD_LIBRARY_PATH (a CUDA build needs the CUDA runtime, cuBLAS and the driver of the CUDA "
                        + "version it was built with), else rebuild it with native/build.sh (or bin/llmgraph "
                        + "build-native)",
                probe(List.of("--enable-native-access=ALL-UNNAMED", "-Dllmgraph.native.dir=" + empty)));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }

    @Test
    void theBuiltLibrariesOpen() throws Exception {
        assertEquals("opened CPU", probe(List.of("--enable-native-access=ALL-UNNAMED",
                "-Dllmgraph.native.dir=" + System.getProperty("llmgraph.native.dir"))));
    }

    private static String probe(List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeLoadingProbe.class.getName()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the probe JVM did not finish");
        }
        String[] attempts = out.split("\n");
        assertEquals(2, attempts.length, out);
        assertEquals(attempts[0], attempts[1], "the second attempt gets the same answer");
        return attempts[0];
    }
}
