package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelSpecTest {
    private static final List<String> ARGV = KernelSpec.argv(Path.of("/jdk/bin/java"),
            List.of("--enable-native-access=ALL-UNNAMED", "-Dllmgraph.native.dir=/cache/a \"b\"\\c"), "/x.jar:/y.jar");

    @Test
    void kernelJsonParsesBackToTheSameCommandLine() throws Exception {
        JsonNode spec = new ObjectMapper().readTree(KernelSpec.json(ARGV));

        List<String> argv = new ArrayList<>();
        spec.path("argv").forEach(a -> argv.add(a.asText()));
        assertEquals(List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-Dllmgraph.native.dir=/cache/a \"b\"\\c", "-XX:TieredStopAtLevel=1", "-cp", "/x.jar:/y.jar",
                "dev.llmgraph.kernel.LlmgraphKernel", "{connection_file}"), argv);
        assertEquals("Java (llmgraph)", spec.path("display_name").asText());
        assertEquals("java", spec.path("language").asText());
        assertEquals("message", spec.path("interrupt_mode").asText());
    }

    @Test
    void theInstallersChoiceOfCompilersReplacesTheKernels() {
        for (String choice : List.of("-XX:TieredStopAtLevel=4", "-XX:-TieredCompilation",
                "-XX:CompilationMode=high-only")) {
            List<String> argv = KernelSpec.argv(Path.of("/jdk/bin/java"), List.of(choice), "/x.jar");
            assertEquals(List.of("/jdk/bin/java", choice, "-cp", "/x.jar", "dev.llmgraph.kernel.LlmgraphKernel",
                    "{connection_file}"), argv);
        }
    }

    @Test
    void installWritesOnceAndRewritesWhenStale(@TempDir Path dataDir) throws Exception {
        assertEquals(KernelSpec.Change.INSTALLED, KernelSpec.install(dataDir, ARGV));
        assertEquals(KernelSpec.Change.UNCHANGED, KernelSpec.install(dataDir, ARGV));

        List<String> moved = KernelSpec.argv(Path.of("/jdk/bin/java"), List.of(), "/elsewhere.jar");
        assertEquals(KernelSpec.Change.UPDATED, KernelSpec.install(dataDir, moved));
        assertEquals(KernelSpec.json(moved),
                Files.readString(dataDir.resolve("kernels/llmgraph/kernel.json")));
    }
}
