package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a notebook headless the way CI and a reader's "Run All" do: the real {@code jupyter nbconvert
 * --execute} with the llmgraph kernel, then hands back the executed notebook for assertions. Any error
 * output fails the run with the cell and its traceback, unless errors are expected. Notebook tests
 * written later use this with {@code notebooks/*.ipynb}.
 */
public final class NotebookHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private Duration cellTimeout = Duration.ofMinutes(5);
    private boolean allowErrors;

    /** {@code workDir} holds the private Jupyter home and the executed copies (a test's temp folder). */
    public NotebookHarness(Path workDir) {
        this.workDir = workDir;
    }

    /** The notebooks folder at the top of the repository. */
    public static Path notebooksDir() {
        return TestJvm.moduleDir().getParent().resolve("notebooks");
    }

    /** nbconvert's limit for each cell. */
    public NotebookHarness cellTimeout(Duration timeout) {
        this.cellTimeout = timeout;
        return this;
    }

    /** Lets cells fail: the run goes on past errors, and their outputs come back with the rest. */
    public NotebookHarness allowErrors() {
        this.allowErrors = true;
        return this;
    }

    /** Executes {@code notebook} (left unchanged) and returns the executed copy. */
    public ExecutedNotebook run(Path notebook) throws IOException, InterruptedException {
        JupyterTools.assumeJupyter();
        Path outputDir = Files.createDirectories(workDir.resolve("executed"));
        List<String> command = new ArrayList<>(List.of(JupyterTools.JUPYTER.toString(), "nbconvert", "--to", "notebook",
                "--execute", "--output-dir", outputDir.toString(),
                "--ExecutePreprocessor.timeout=" + cellTimeout.toSeconds(),
                "--ExecutePreprocessor.kernel_name=" + KernelSpec.NAME));
        if (allowErrors) {
            command.add("--allow-errors");
        }
        command.add(notebook.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(JupyterTools.privateHome(workDir.resolve("jupyter-home")));
        Process process = builder.start();
        byte[] log = process.getInputStream().readAllBytes();
        if (!process.waitFor(cellTimeout.toSeconds() * 4 + 120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("nbconvert did not finish " + notebook);
        }
        String logText = new String(log, StandardCharsets.UTF_8);
        Path executed = outputDir.resolve(notebook.getFileName());
        if (process.exitValue() != 0 || !Files.isRegularFile(executed)) {
            fail("nbconvert failed on " + notebook.getFileName() + " (exit " + process.exitValue() + "):\n" + logText);
        }
        ExecutedNotebook result = new ExecutedNotebook(JSON.readTree(executed.toFile()), executed);
        if (!allowErrors && !result.errors().isEmpty()) {
            fail(notebook.getFileName() + " has error outputs:\n" + String.join("\n", result.errors()));
        }
        return result;
    }

    /** An executed notebook's outputs, and the file nbconvert wrote it to. */
    public record ExecutedNotebook(JsonNode json, Path file) {
        /** The code cells in order. */
        public List<JsonNode> codeCells() {
            List<JsonNode> cells = new ArrayList<>();
            json.path("cells").forEach(c -> {
                if (c.path("cell_type").asText().equals("code")) {
                    cells.add(c);
                }
            });
            return cells;
        }

        /** The outputs of code cell {@code index} (0-based among code cells). */
        public List<JsonNode> outputs(int index) {
            List<JsonNode> out = new ArrayList<>();
            codeCells().get(index).path("outputs").forEach(out::add);
            return out;
        }

        /** Every output of every code cell, in order. */
        public List<JsonNode> allOutputs() {
            List<JsonNode> out = new ArrayList<>();
            for (int i = 0; i < codeCells().size(); i++) {
                out.addAll(outputs(i));
            }
            return out;
        }

        /** The text a cell wrote to {@code stream} (stdout or stderr). */
        public String stream(int index, String stream) {
            StringBuilder text = new StringBuilder();
            for (JsonNode o : outputs(index)) {
                if (o.path("output_type").asText().equals("stream") && o.path("name").asText().equals(stream)) {
                    text.append(joined(o.path("text")));
                }
            }
            return text.toString();
        }

        /** Everything written to stdout by the notebook. */
        public String stdout() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < codeCells().size(); i++) {
                text.append(stream(i, "stdout"));
            }
            return text.toString();
        }

        /**
         * How many figures the outputs hold: SVG charts and diagrams, PNG heatmaps, and the SVG drawings inside HTML
         * outputs (a spec's summary shows its block diagram inline).
         */
        public int figures() {
            int figures = 0;
            for (JsonNode o : allOutputs()) {
                JsonNode data = o.path("data");
                if (data.has("image/svg+xml") || data.has("image/png")) {
                    figures++; // its text/html, if any, is the same figure again (SvgBundle's <img>)
                } else if (data.has("text/html")) {
                    // a rich display with figures inside: inline SVG, or a chart as an <img> (a bench report)
                    figures += joined(data.path("text/html")).split("<(svg|img)[ >]", -1).length - 1;
                }
            }
            return figures;
        }

        /** The {@code mime} content of each display_data and execute_result that has it, in order. */
        public List<String> data(String mime) {
            List<String> found = new ArrayList<>();
            for (JsonNode o : allOutputs()) {
                JsonNode content = o.path("data").path(mime);
                if (!content.isMissingNode()) {
                    found.add(joined(content));
                }
            }
            return found;
        }

        /** Each error output as {@code ename: evalue} followed by its traceback. */
        public List<String> errors() {
            List<String> errors = new ArrayList<>();
            for (JsonNode o : allOutputs()) {
                if (o.path("output_type").asText().equals("error")) {
                    errors.add(o.path("ename").asText() + ": " + o.path("evalue").asText() + "\n"
                            + joined(o.path("traceback"), "\n"));
                }
            }
            return errors;
        }

        /** The traceback lines of code cell {@code index}'s error output (empty if it has none). */
        public List<String> traceback(int index) {
            List<String> lines = new ArrayList<>();
            for (JsonNode o : outputs(index)) {
                if (o.path("output_type").asText().equals("error")) {
                    o.path("traceback").forEach(line -> lines.add(line.asText()));
                }
            }
            return lines;
        }

        /** nbformat stores multi-line text either as one string or as a list of lines. */
        static String joined(JsonNode text) {
            return joined(text, "");
        }

        static String joined(JsonNode text, String separator) {
            if (!text.isArray()) {
                return text.asText();
            }
            List<String> parts = new ArrayList<>();
            text.forEach(part -> parts.add(part.asText()));
            return String.join(separator, parts);
        }
    }
}
