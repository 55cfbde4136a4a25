package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a reader sees: the real notebook server, the kernel check notebook opened in headless Chromium
 * (Debian's, driven by playwright-core from npm), Cell > Run All, then the rendered table, chart and a
 * spec's block diagram on the page. The screenshot stays in {@code target/browser/} for a person to look at.
 */
class BrowserNotebookTest {
    private static final String PLAYWRIGHT_VERSION = "1.65.1";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String NOTEBOOK = "00-kernel-check.ipynb";

    @Test
    void runAllInChromiumRendersTheTableTheChartAndTheDiagram(@TempDir Path work) throws Exception {
        JupyterTools.assumeJupyter();
        assumeTrue(Files.isExecutable(CHROMIUM),
                "Chromium is not installed; install the Debian package chromium (apt-get install chromium) "
                        + "to run the browser test");
        assumeTrue(onPath("npm") && onPath("node"),
                "Node.js and npm are not installed; install the Debian packages nodejs npm to run the browser test");
        Path playwright = installPlaywrightCore();

        Path notebooks = Files.createDirectories(work.resolve("notebooks"));
        Files.copy(NotebookHarness.notebooksDir().resolve(NOTEBOOK), notebooks.resolve(NOTEBOOK));
        Path screenshot = Files.createDirectories(TestJvm.moduleDir().resolve("target/browser")).resolve("00-kernel-check.png");
        Files.deleteIfExists(screenshot);

        JsonNode page;
        try (NotebookServer server = NotebookServer.start(notebooks, work)) {
            page = runInBrowser(playwright, server.notebookUrl(NOTEBOOK), screenshot, work);
        }

        assertEquals("llmgraph", page.path("kernelName").asText());
        assertEquals(5, page.path("codeCells").asInt());
        assertEquals(List.of("In [1]:", "In [2]:", "In [3]:", "In [4]:", "In [5]:"), strings(page.path("prompts")));
        assertEquals(List.of(), strings(page.path("errors")));
        assertEquals(1, page.path("htmlTables").asInt(), "the device table is rendered as HTML");
        assertEquals(1, page.path("svgCharts").asInt(), "the chart is rendered as SVG");
        assertEquals(6, page.path("svgBars").asInt(), "one bar per product");
        List<String> diagram = strings(page.path("blockDiagramNodes"));
        assertTrue(diagram.containsAll(List.of("attn_norm", "ffn_norm", "attn_res", "logits")),
                "the rendered block diagram shows the block's nodes: " + diagram);
        assertTrue(page.path("stdout").asText().contains("mul_mat agrees with plain Java"), page.toString());
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page at " + screenshot);
    }

    /** playwright-core (the library only; it downloads no browser) in a cache folder kept between builds. */
    private static Path installPlaywrightCore() throws IOException, InterruptedException {
        String cache = System.getenv().getOrDefault("LLMGRAPH_CACHE",
                System.getProperty("user.home") + "/.cache/llmgraph");
        Path dir = Path.of(cache, "node", "playwright-core-" + PLAYWRIGHT_VERSION);
        Path module = dir.resolve("node_modules/playwright-core");
        if (!Files.isRegularFile(module.resolve("package.json"))) {
            Files.createDirectories(dir);
            ProcessBuilder npm = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit",
                    "--no-fund", "--no-save", "playwright-core@" + PLAYWRIGHT_VERSION).redirectErrorStream(true);
            npm.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            Process process = npm.start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0
                    || !Files.isRegularFile(module.resolve("package.json"))) {
                fail("npm install playwright-core@" + PLAYWRIGHT_VERSION + " failed:\n" + log);
            }
        }
        return module;
    }

    private static JsonNode runInBrowser(Path playwright, String url, Path screenshot, Path work)
            throws IOException, InterruptedException {
        Path script = work.resolve("run_notebook.cjs");
        try (var in = BrowserNotebookTest.class.getResourceAsStream("/browser/run_notebook.cjs")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder node = new ProcessBuilder("node", script.toString(), url, screenshot.toString())
                .redirectError(work.resolve("browser-stderr.txt").toFile());
        node.environment().put("PLAYWRIGHT_CORE", playwright.toString());
        node.environment().put("CHROMIUM", CHROMIUM.toString());
        Process process = node.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            fail("the browser run failed:\n" + out + "\n" + Files.readString(work.resolve("browser-stderr.txt"))
                    + "\nserver log:\n" + Files.readString(work.resolve("notebook-server.log")));
        }
        return new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
