package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel must come up every time: another JVM kernel hung at start in about one headless start in
 * twelve. Each start here goes through jupyter_client's full handshake (kernel_info) and runs a cell.
 */
class KernelStartTest {
    private static final int STARTS = 5;

    @Test
    void kernelStartsRunsACellAndShutsDownRepeatedly(@TempDir Path work) throws Exception {
        try (KernelClient client = KernelClient.open(work)) {
            for (int start = 1; start <= STARTS; start++) {
                client.start();
                JsonNode answer = client.execute("\"start \" + " + start);
                assertEquals("\"start " + start + "\"", KernelClient.result(answer), "start " + start);
                assertEquals(1, answer.path("reply").path("execution_count").asInt(), "a fresh kernel counts from 1");
                client.shutdown();
            }
        }
    }
}
