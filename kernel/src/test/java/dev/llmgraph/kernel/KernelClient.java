package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Jupyter client for tests: Debian's python3 with jupyter_client runs {@code kernel_driver.py}, which
 * starts the llmgraph kernel from its kernelspec and speaks the real protocol (execute, interrupt,
 * complete, inspect). This class sends it one JSON request per line and reads one answer per line.
 */
final class KernelClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final Writer requests;
    private final BufferedReader answers;

    private KernelClient(Process driver) {
        this.driver = driver;
        this.requests = driver.outputWriter(StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the driver with a private Jupyter home under {@code work}; no kernel runs yet. */
    static KernelClient open(Path work) throws IOException {
        JupyterTools.assumeJupyter();
        Path script = work.resolve("kernel_driver.py");
        try (var in = KernelClient.class.getResourceAsStream("/jupyter/kernel_driver.py")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder builder = new ProcessBuilder(JupyterTools.PYTHON.toString(), script.toString())
                .redirectError(work.resolve("driver-stderr.txt").toFile());
        builder.environment().putAll(JupyterTools.privateHome(work.resolve("jupyter-home")));
        return new KernelClient(builder.start());
    }

    JsonNode start() throws IOException {
        return send(request("start"));
    }

    /** Restarts the kernel as the notebook's restart button does: a new process; answers old_pid and pid. */
    JsonNode restart() throws IOException {
        return send(request("restart"));
    }

    JsonNode shutdown() throws IOException {
        return send(request("shutdown"));
    }

    JsonNode execute(String code) throws IOException {
        return send(request("execute").put("code", code));
    }

    /** Runs {@code code} and sends interrupt_request once the cell has printed {@code marker}. */
    JsonNode executeAndInterruptOn(String code, String marker) throws IOException {
        return send(request("execute").put("code", code).put("interrupt_on_output", marker));
    }

    /** Runs {@code code} and sends interrupt_request {@code seconds} after it started (if it still runs). */
    JsonNode executeAndInterruptAfter(String code, double seconds) throws IOException {
        return send(request("execute").put("code", code).put("interrupt_after", seconds));
    }

    JsonNode complete(String code, int cursor) throws IOException {
        return send(request("complete").put("code", code).put("cursor", cursor));
    }

    JsonNode inspect(String code, int cursor) throws IOException {
        return send(request("inspect").put("code", code).put("cursor", cursor));
    }

    private static ObjectNode request(String op) {
        return JSON.createObjectNode().put("op", op);
    }

    private JsonNode send(ObjectNode request) throws IOException {
        requests.write(JSON.writeValueAsString(request) + "\n");
        requests.flush();
        String line = answers.readLine();
        if (line == null) {
            fail("the kernel driver ended; its stderr:\n" + stderr());
        }
        JsonNode answer = JSON.readTree(line);
        assertTrue(answer.path("ok").asBoolean(), () -> request.path("op").asText() + " failed: "
                + answer.path("error").asText() + "\n" + stderr());
        assertTrue(!answer.path("timed_out").asBoolean(), () -> "the cell did not finish: " + answer);
        return answer;
    }

    private String stderr() {
        return "(see driver-stderr.txt in the test's folder)";
    }

    /** The traceback lines of an execute answer's error. */
    static List<String> traceback(JsonNode answer) {
        List<String> lines = new ArrayList<>();
        answer.path("reply").path("traceback").forEach(l -> lines.add(l.asText()));
        return lines;
    }

    /** The text/plain value of an execute answer's execute_result; null if there is none. */
    static String result(JsonNode answer) {
        for (JsonNode output : answer.path("outputs")) {
            if (output.path("type").asText().equals("execute_result")) {
                return output.path("data").path("text/plain").asText();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        requests.close(); // the driver shuts its kernel down at end of input
        try {
            if (!driver.waitFor(60, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
