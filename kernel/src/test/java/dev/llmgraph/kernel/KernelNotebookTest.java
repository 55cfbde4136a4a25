package dev.llmgraph.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel as Jupyter sees it: notebooks executed headless by the real nbconvert. */
class KernelNotebookTest {
    @TempDir
    Path work;

    @Test
    void kernelCheckNotebookRunsWithoutErrorsAndShowsItsFigures() throws Exception {
        var notebook = new NotebookHarness(work).run(NotebookHarness.notebooksDir().resolve("00-kernel-check.ipynb"));

        assertTrue(notebook.stdout().contains("llmgraph kernel ready\n"), notebook.stdout());
        assertTrue(notebook.stdout().contains("mul_mat agrees with plain Java\n"), notebook.stdout());
        // SVG figures travel in text/html too, as images (SvgBundle); the rest is the table
        List<String> html = notebook.data("text/html").stream().filter(h -> !h.startsWith("<img ")).toList();
        assertEquals(1, html.size(), "one HTML table of devices");
        assertTrue(html.getFirst().startsWith("<table class=\"llmgraph-devices\">"), html.getFirst());
        assertTrue(html.getFirst().contains("<td>CPU</td>"), html.getFirst());
        List<String> svg = notebook.data("image/svg+xml");
        assertEquals(2, svg.size(), "an SVG chart and a block diagram");
        assertEquals(6, svg.getFirst().split("<rect ").length - 1, "a bar for each of the six products");
        assertTrue(svg.getLast().contains("data-node=\"attn_norm\""), "the block diagram shows the attention norm");
        HtmlExport.assertFiguresShown(notebook, work, 2);
    }

    @Test
    void cellsPrintDisplayAndShowTheirValue() throws Exception {
        Path file = TestNotebooks.write(work.resolve("features.ipynb"),
                "System.out.println(\"to stdout\");\nSystem.err.println(\"to stderr\");",
                TestNotebooks.SHOW_AND_VALUE,
                "new int[] {1, 2}",
                "\"quoted\"",
                "int hidden = 42;",
                """
                Display.sink().display(Map.of("text/plain", "step 1 of 2"), "progress");
                Display.sink().update(Map.of("text/plain", "step 2 of 2"), "progress");""",
                "\"ab\".repeat(2000) + \"MIDDLE\" + \"ab\".repeat(2000)");

        var notebook = new NotebookHarness(work).run(file);

        assertEquals("to stdout\n", notebook.stream(0, "stdout"));
        assertEquals("to stderr\n", notebook.stream(0, "stderr"));
        assertEquals(List.of("<b>shown</b>", "<b>value</b>"), notebook.data("text/html"));
        assertEquals("display_data", notebook.outputs(1).get(0).path("output_type").asText());
        assertEquals("execute_result", notebook.outputs(1).get(1).path("output_type").asText());
        assertEquals("int[2] { 1, 2 }", text(notebook, 2));
        assertEquals("\"quoted\"", text(notebook, 3));
        assertEquals(List.of(), notebook.outputs(4), "a cell ending with ';' shows no value");
        // nbconvert applies update_display_data to the output that carries the display id
        assertEquals("step 2 of 2", text(notebook, 5));
        assertEquals("\"" + "ab".repeat(2000) + "MIDDLE" + "ab".repeat(2000) + "\"", text(notebook, 6),
                "a long value shows in full, not cut in the middle as JShell's stock feedback modes do");
    }

    @Test
    void errorsShowTheJavaExceptionAtTheCellLine() throws Exception {
        Path file = TestNotebooks.write(work.resolve("errors.ipynb"),
                """
                void check(int value) {
                    if (value < 0) {
                        throw new IllegalArgumentException("value must not be negative, got " + value);
                    }
                }""",
                "System.out.println(\"before\");\ncheck(-3);\nSystem.out.println(\"not reached\");",
                "int count = 1;\nString name = count;",
                "System.out.println(\"the kernel still runs\");");

        var notebook = new NotebookHarness(work).allowErrors().run(file);

        assertEquals(List.of(
                "java.lang.IllegalArgumentException: value must not be negative, got -3",
                "\tat check(cell [1] line 3)",
                "\tat cell [2] line 2"), notebook.traceback(1));
        assertEquals("before\n", notebook.stream(1, "stdout"));
        var error = notebook.outputs(1).getLast();
        assertEquals("IllegalArgumentException", error.path("ename").asText());
        assertEquals("value must not be negative, got -3", error.path("evalue").asText());
        assertEquals(List.of(
                "cell [3] line 2: error: incompatible types: int cannot be converted to java.lang.String",
                "String name = count;",
                "              ^"), notebook.traceback(2));
        assertEquals("CompileError", notebook.outputs(2).getLast().path("ename").asText());
        assertEquals("the kernel still runs\n", notebook.stream(3, "stdout"));
    }

    private static String text(NotebookHarness.ExecutedNotebook notebook, int cell) {
        return NotebookHarness.ExecutedNotebook.joined(notebook.outputs(cell).getLast().path("data").path("text/plain"));
    }
}
