package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reader sees: the real notebook server, the kernel check notebook opened in headless Chromium
 * ({@link Chromium}), Cell > Run All, then the rendered table, chart and a spec's block diagram on the page. The screenshot stays in {@code target/browser/} for a person to look at.
 */
class BrowserNotebookTest {
    private static final String NOTEBOOK = "00-kernel-check.ipynb";

    @Test
    void runAllInChromiumRendersTheTableTheChartAndTheDiagram(@TempDir Path work) throws Exception {
        JupyterTools.assumeJupyter();
        Chromium.assume();

        Path notebooks = Files.createDirectories(work.resolve("notebooks"));
        Files.copy(NotebookHarness.notebooksDir().resolve(NOTEBOOK), notebooks.resolve(NOTEBOOK));
        Path screenshot = Files.createDirectories(TestJvm.moduleDir().resolve("target/browser")).resolve("00-kernel-check.png");
        Files.deleteIfExists(screenshot);

        JsonNode page;
        try (NotebookServer server = NotebookServer.start(notebooks, work)) {
            page = runInBrowser(server.notebookUrl(NOTEBOOK), screenshot, work);
        }

        assertEquals("llmgraph", page.path("kernelName").asText());
        assertEquals(5, page.path("codeCells").asInt());
        assertEquals(List.of("In [1]:", "In [2]:", "In [3]:", "In [4]:", "In [5]:"), strings(page.path("prompts")));
        assertEquals(List.of(), strings(page.path("errors")));
        assertEquals(1, page.path("htmlTables").asInt(), "the device table is rendered as HTML");
        assertEquals(2, page.path("figuresDrawn").asInt(), "the chart and the diagram are drawn, as SVG images");
        assertEquals(1, page.path("svgCharts").asInt(), "the chart is rendered as SVG");
        assertEquals(6, page.path("svgBars").asInt(), "one bar per product");
        List<String> diagram = strings(page.path("blockDiagramNodes"));
        assertTrue(diagram.containsAll(List.of("attn_norm", "ffn_norm", "attn_res", "logits")),
                "the rendered block diagram shows the block's nodes: " + diagram);
        assertTrue(page.path("stdout").asText().contains("mul_mat agrees with plain Java"), page.toString());
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page at " + screenshot);
    }

    private static JsonNode runInBrowser(String url, Path screenshot, Path work) throws IOException, InterruptedException {
        try {
            return new ObjectMapper().readTree(Chromium.runScript("run_notebook.cjs", work,
                    List.of(url, screenshot.toString())));
        } catch (Chromium.BrowserRunFailed e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n"
                    + Files.readString(work.resolve("notebook-server.log")), e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
