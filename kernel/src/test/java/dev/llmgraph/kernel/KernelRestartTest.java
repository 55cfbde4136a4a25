package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notebook's restart button gives the memory back: a kernel holding a model's weights (native memory, outside
 * the Java heap) is restarted through jupyter_client, its process ends, and the new kernel's resident memory is
 * back to a fresh kernel's.
 */
class KernelRestartTest {
    @Test
    void restartingAKernelReleasesTheNativeMemoryOfItsModels(@TempDir Path work) throws Exception {
        try (KernelClient client = KernelClient.open(work)) {
            long first = client.start().path("pid").asLong();
            assertOk(client.execute("6 * 7"));
            long fresh = residentKib(first);
            // 32,000 x 1,024 F32 embeddings and output head plus 4 layers: about 290 MB of ggml buffers
            assertOk(client.execute("""
                    var big = Model.random(Transformer.causalDecoder("big").vocabSize(32_000).dModel(1024).layers(4)
                        .contextLength(256).attention(Attention.multiHead(8)).positional(Positional.rope(10_000))
                        .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(2816)).build(), 1);
                    big.forward(1, 2, 3);"""));
            long holding = residentKib(first);
            assertTrue(holding - fresh > 200_000, "the weights are resident: " + fresh + " kB, then " + holding + " kB");

            JsonNode restarted = client.restart();
            long second = restarted.path("pid").asLong();
            assertEquals(first, restarted.path("old_pid").asLong());
            assertNotEquals(first, second, "a restart starts a new process");
            for (int i = 0; i < 100 && Files.exists(Path.of("/proc/" + first)); i++) {
                Thread.sleep(100);
            }
            assertFalse(Files.exists(Path.of("/proc/" + first)), "the old kernel's process has ended, memory and all");
            assertOk(client.execute("6 * 7"));
            long after = residentKib(second);
            System.out.printf("kernel resident memory: %,d kB fresh, %,d kB holding the model, %,d kB after restart%n",
                    fresh, holding, after);
            assertTrue(after < holding - 200_000, "after restart " + after + " kB, holding " + holding + " kB");
        }
    }

    private static void assertOk(JsonNode answer) {
        assertEquals("ok", answer.path("status").asText(), answer.toString());
    }

    /** VmRSS of process {@code pid}, in kB. */
    private static long residentKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }
}
