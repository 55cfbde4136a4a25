package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
