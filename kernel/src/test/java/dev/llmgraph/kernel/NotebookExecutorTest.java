package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.llmgraph.kernel.NotebookHarness.ExecutedNotebook.joined;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph run NOTEBOOK.ipynb}: a notebook run without Jupyter gets the outputs that Jupyter's own
 * nbconvert gets from the llmgraph kernel (the reference), and a failing cell or a file that is not a notebook
 * gets words.
 */
class NotebookExecutorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void theKernelCheckNotebookGetsJupytersOutputs() throws Exception {
        assertSameOutputsAsJupyter(NotebookHarness.notebooksDir().resolve("00-kernel-check.ipynb"));
    }

    @Test
    void streamsDisplaysUpdatesAndValuesComeOutAsUnderJupyter() throws Exception {
        assertSameOutputsAsJupyter(TestNotebooks.write(work.resolve("outputs.ipynb"),
                """
                System.out.println("to stdout");
                System.err.println("to stderr");
                for (byte b : "é 模型, byte by byte\\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    System.out.write(b);
                }
                System.out.flush();""",
                TestNotebooks.SHOW_AND_VALUE,
                "new int[] {1, 2}",
                "int hidden = 42;",
                """
                Display.sink().display(Map.of("text/plain", "step 1 of 2"), "progress");
                System.out.println("before the update");
                Display.sink().update(Map.of("text/plain", "step 2 of 2"), "progress");
                Display.sink().update(Map.of("text/plain", "never shown"), "no-such-display");
                System.out.println("after it");"""));
    }

    @Test
    void aFailingCellEndsTheRunWithItsErrorWritten() throws Exception {
        Path notebook = TestNotebooks.write(work.resolve("fails.ipynb"),
                "System.out.println(\"first\");",
                "throw new IllegalStateException(\"no model 42\");",
                "System.out.println(\"never\");");
        ObjectNode stale = (ObjectNode) JSON.readTree(notebook.toFile());   // the third cell holds an old output
        ((ObjectNode) stale.path("cells").get(2)).put("execution_count", 7).putArray("outputs").addObject()
                .put("output_type", "stream").put("name", "stdout").put("text", "never\n");
        JSON.writeValue(notebook.toFile(), stale);
        Path out = work.resolve("out/fails.ipynb");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        ByteArrayOutputStream problems = new ByteArrayOutputStream();

        int status = NotebookExecutor.execute(notebook, out, print(terminal), print(problems));

        assertEquals(1, status);
        assertEquals("first\n", terminal.toString(StandardCharsets.UTF_8));
        List<String> lines = problems.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("llmgraph: " + notebook + ", cell [2] failed: IllegalStateException: no model 42",
                lines.getFirst());
        assertEquals("llmgraph: wrote " + out, lines.getLast());
        JsonNode cells = JSON.readTree(out.toFile()).path("cells");
        JsonNode error = cells.get(1).path("outputs").get(0);
        assertEquals("error", error.path("output_type").asText());
        assertEquals("IllegalStateException", error.path("ename").asText());
        assertEquals("no model 42", error.path("evalue").asText());
        assertEquals(2, cells.get(1).path("execution_count").asInt());
        assertTrue(cells.get(2).path("execution_count").isNull(), "the cell after the failure did not run");
        assertEquals(0, cells.get(2).path("outputs").size(), "nor does it show an earlier run's output");
    }

    @Test
    void aFileThatIsNotANotebookOfThisKernelIsRefusedInWords() throws Exception {
        Path notJson = Files.writeString(work.resolve("notes.ipynb"), "not json");
        Path noCells = Files.writeString(work.resolve("empty.ipynb"), "{\"nbformat\": 3}");
        Path python = Files.writeString(work.resolve("python.ipynb"), "{\"nbformat\": 4, \"cells\": [], "
                + "\"metadata\": {\"kernelspec\": {\"name\": \"python3\"}}}");
        ByteArrayOutputStream problems = new ByteArrayOutputStream();

        assertEquals(2, NotebookExecutor.execute(notJson, null, print(new ByteArrayOutputStream()), print(problems)));
        assertEquals(2, NotebookExecutor.execute(noCells, null, print(new ByteArrayOutputStream()), print(problems)));
        assertEquals(2, NotebookExecutor.execute(work.resolve("missing.ipynb"), null,
                print(new ByteArrayOutputStream()), print(problems)));
        assertEquals(2, NotebookExecutor.execute(python, null, print(new ByteArrayOutputStream()), print(problems)));

        assertEquals(List.of(
                "llmgraph: " + notJson + " is not a notebook: its JSON does not parse (Unrecognized token 'not': was "
                        + "expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false'))",
                "llmgraph: " + noCells + " is not a notebook of nbformat 4 (a JSON object with \"nbformat\": 4 and a "
                        + "\"cells\" array); open and save it in Jupyter to convert it",
                "llmgraph: no such notebook: " + work.resolve("missing.ipynb"),
                "llmgraph: " + python + " is written for the Jupyter kernel 'python3', not for llmgraph's "
                        + "('llmgraph'), so its cells are not this kernel's Java; run it in Jupyter with its own "
                        + "kernel"),
                problems.toString(StandardCharsets.UTF_8).lines().toList());
    }

    /**
     * Runs {@code notebook} with nbconvert (the reference) and through the launcher's JVM command without Jupyter,
     * and compares every code cell's outputs: their kinds, streams, MIME types and contents, in order.
     */
    private void assertSameOutputsAsJupyter(Path notebook) throws Exception {
        NotebookHarness.ExecutedNotebook reference = new NotebookHarness(work.resolve("jupyter")).run(notebook);
        Path out = work.resolve("headless").resolve(notebook.getFileName());
        Process process = new ProcessBuilder(TestJvm.command(NotebookExecutor.class.getName(), notebook.toString(),
                "--out", out.toString())).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), log);
        assertEquals(0, process.exitValue(), log);
        var headless = new NotebookHarness.ExecutedNotebook(JSON.readTree(out.toFile()), out);
        assertEquals(cellOutputs(reference), cellOutputs(headless));
    }

    /** Each code cell's execution count and outputs, with text that nbformat may split into lines joined. */
    private static List<String> cellOutputs(NotebookHarness.ExecutedNotebook notebook) {
        List<String> cells = new ArrayList<>();
        for (JsonNode cell : notebook.codeCells()) {
            StringBuilder described = new StringBuilder("[" + cell.path("execution_count").asText() + "]");
            for (JsonNode output : cell.path("outputs")) {
                described.append("\n").append(output.path("output_type").asText()).append(" ")
                        .append(output.path("name").asText()).append(joined(output.path("text")));
                JsonNode data = output.path("data");
                List<String> mimeTypes = new ArrayList<>();
                data.fieldNames().forEachRemaining(mimeTypes::add);
                mimeTypes.stream().sorted().forEach(mime ->   // the order of a MIME bundle means nothing
                        described.append("\n  ").append(mime).append(": ").append(joined(data.get(mime))));
            }
            cells.add(described.toString());
        }
        return cells;
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
