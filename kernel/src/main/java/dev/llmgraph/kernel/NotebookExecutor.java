package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.display.Display;
import dev.llmgraph.model.ModelOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * {@code bin/llmgraph run NOTEBOOK.ipynb [--out EXECUTED.ipynb] [--backend cpu|cuda]}: runs a notebook's code cells
 * in order without Jupyter, through the kernel's own cell runner (the same JShell session, imports, rich display and
 * cell timeout as in a notebook server). For machines with no Python or Jupyter, such as an offline GPU server: the
 * cells' text reaches the terminal as it comes, a value shows its plain text there, and {@code --out} writes the
 * notebook with every output (nbformat 4, as {@code jupyter nbconvert --execute} writes it), charts included, to be
 * opened elsewhere. {@code --backend} is the backend setting the notebook's models read
 * ({@link ModelOptions#configured()}). The first cell that fails ends the run with exit status 1, after its error
 * has been printed and written.
 */
public final class NotebookExecutor {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the relay waits for a running cell's output before it looks again whether the cell ended. */
    private static final long POLL_MILLIS = 50;

    private final PrintStream terminal;
    private final PrintStream problems;
    /** Outputs shown with a display id, which later {@code update}s replace wherever they are in the notebook. */
    private final Map<String, ObjectNode> displays = new HashMap<>();
    /**
     * The plain text of the displays a running cell updated, printed once when it ends: a progress bar or a growing
     * text updates many times, and the terminal gets its first and its last state.
     */
    private final Map<String, String> updatedText = new LinkedHashMap<>();

    private NotebookExecutor(PrintStream terminal, PrintStream problems) {
        this.terminal = terminal;
        this.problems = problems;
    }

    public static void main(String[] argv) throws Exception {
        Path out = null;
        for (int i = 1; i < argv.length; i += 2) {
            if (i + 1 == argv.length || !(argv[i].equals("--out") || argv[i].equals("--backend"))) {
                System.err.println("usage: bin/llmgraph run NOTEBOOK.ipynb [--out EXECUTED.ipynb] "
                        + "[--backend cpu|cuda]");
                System.exit(2);
            }
            if (argv[i].equals("--out")) {
                out = Path.of(argv[i + 1]);
            } else {
                System.setProperty(ModelOptions.BACKEND_PROPERTY, argv[i + 1]);   // ModelOptions.configured() reads it
            }
        }
        int status = execute(Path.of(argv[0]), out, System.out, System.err);
        System.out.flush();
        System.exit(status); // threads that cells started must not keep the JVM alive
    }

    /**
     * Runs {@code notebook}'s code cells, writing the executed notebook to {@code out} when it is not null. Returns
     * the exit status: 0, 1 after a failed cell, 2 for a file that is not a notebook of this kernel.
     */
    public static int execute(Path notebook, Path out, PrintStream terminal, PrintStream problems)
            throws IOException, InterruptedException {
        ObjectNode document;
        try {
            document = NotebookFiles.read(notebook);
        } catch (IllegalArgumentException e) {
            problems.println("llmgraph: " + e.getMessage());
            return 2;
        }
        String kernel = document.path("metadata").path("kernelspec").path("name").asText("");
        if (!kernel.isEmpty() && !kernel.equals(KernelSpec.NAME)) {
            problems.println("llmgraph: " + notebook + " is written for the Jupyter kernel '" + kernel + "', not for "
                    + "llmgraph's ('" + KernelSpec.NAME + "'), so its cells are not this kernel's Java; run it in "
                    + "Jupyter with its own kernel");
            return 2;
        }
        int status = new NotebookExecutor(terminal, problems).runCells(document, notebook);
        if (out != null) {
            NotebookFiles.write(document, out);
            problems.println("llmgraph: wrote " + out);
        }
        return status;
    }

    private int runCells(ObjectNode document, Path notebook) throws InterruptedException {
        PrintStream kernelOut = System.out;
        PrintStream kernelErr = System.err;
        CellOutput output = new CellOutput(kernelOut, kernelErr);
        System.setOut(output.stdout());
        System.setErr(output.stderr());
        Display.install(output.displaySink());
        try (CellRunner cells = new CellRunner(output)) {
            Kernel.applyEnvironment(kernelErr);
            NotebookFiles.clearOutputs(document);   // the notebook written shows this run only
            int count = 1;
            for (ObjectNode cell : NotebookFiles.codeCells(document)) {
                ArrayNode outputs = (ArrayNode) cell.get("outputs");
                cell.put("execution_count", count);
                CellResult result = run(cells, output, NotebookFiles.source(cell), count, outputs);
                if (result instanceof CellResult.Failed failed) {
                    problems.println("llmgraph: " + notebook + ", cell [" + count + "] failed: " + failed.name()
                            + ": " + failed.message());
                    failed.traceback().forEach(problems::println);
                    return 1;
                }
                count++;
            }
            return 0;
        } finally {
            Display.reset();
            System.setOut(kernelOut);
            System.setErr(kernelErr);
        }
    }

    /** Runs one cell, relaying its output to the terminal and into {@code outputs} as it comes. */
    private CellResult run(CellRunner cells, CellOutput output, String code, int count, ArrayNode outputs)
            throws InterruptedException {
        Streams streams = new Streams(outputs);
        CellResult result;
        output.cellStarted();
        try {
            Future<CellResult> cell = cells.submit(code, count);
            while (!cell.isDone()) {
                relay(output.take(POLL_MILLIS), streams, outputs);
            }
            result = outcome(cell);
        } finally {
            output.cellEnded();
        }
        relay(output.take(0), streams, outputs);
        streams.end();
        updatedText.values().forEach(terminal::println);
        updatedText.clear();
        switch (result) {
            case CellResult.Ok ok when ok.value() != null -> {
                ObjectNode value = outputs.addObject().put("output_type", "execute_result")
                        .put("execution_count", count);
                value.set("data", data(ok.value()));
                value.putObject("metadata");
                terminal.println(ok.value().getOrDefault("text/plain", ""));
            }
            case CellResult.Ok _ -> { }
            case CellResult.Failed failed -> {
                ObjectNode error = outputs.addObject().put("output_type", "error")
                        .put("ename", failed.name()).put("evalue", failed.message());
                failed.traceback().forEach(error.putArray("traceback")::add);
            }
        }
        return result;
    }

    private static CellResult outcome(Future<CellResult> cell) throws InterruptedException {
        try {
            return cell.get();
        } catch (ExecutionException e) {
            return CellResult.internalError(e.getCause());
        }
    }

    private void relay(List<CellOutput.Event> events, Streams streams, ArrayNode outputs) {
        for (CellOutput.Event event : events) {
            switch (event) {
                case CellOutput.Event.Text text -> streams.append(text.stderr(), text.bytes());
                case CellOutput.Event.Show show when show.update() -> {
                    // As in Jupyter: the output shown under that id changes in place; an unknown id changes nothing.
                    ObjectNode shown = displays.get(show.displayId());
                    if (shown != null) {
                        shown.set("data", data(show.bundle()));
                        updatedText.put(show.displayId(), show.bundle().getOrDefault("text/plain", ""));
                    }
                }
                case CellOutput.Event.Show show -> {
                    streams.end();
                    ObjectNode shown = outputs.addObject().put("output_type", "display_data");
                    shown.set("data", data(show.bundle()));
                    shown.putObject("metadata");
                    if (show.displayId() != null) {
                        displays.put(show.displayId(), shown);
                    }
                    terminal.println(show.bundle().getOrDefault("text/plain", ""));
                }
                case CellOutput.Event.Wake _ -> { }
            }
        }
    }

    /** A MIME bundle as nbformat stores it, its types in order as Jupyter writes them. */
    private static JsonNode data(Map<String, String> bundle) {
        return JSON.valueToTree(new TreeMap<>(bundle));
    }

    /**
     * A cell's printed text, to the terminal at once and into the notebook as one stream output per run of the same
     * stream (as Jupyter stores it); a character split between writes stays whole ({@link Utf8Text}, as the kernel
     * decodes it).
     */
    private final class Streams {
        private final ArrayNode outputs;
        private final Utf8Text stdoutText = new Utf8Text();
        private final Utf8Text stderrText = new Utf8Text();
        private final StringBuilder run = new StringBuilder();
        private Boolean runIsStderr;

        Streams(ArrayNode outputs) {
            this.outputs = outputs;
        }

        void append(boolean stderr, byte[] bytes) {
            if (runIsStderr != null && runIsStderr != stderr) {
                end();
            }
            runIsStderr = stderr;
            run.append((stderr ? stderrText : stdoutText).append(bytes));
            (stderr ? problems : terminal).write(bytes, 0, bytes.length);
        }

        void end() {
            if (runIsStderr != null && !run.isEmpty()) {
                outputs.addObject().put("output_type", "stream").put("name", runIsStderr ? "stderr" : "stdout")
                        .put("text", run.toString());
            }
            if (runIsStderr != null) {
                (runIsStderr ? problems : terminal).flush();
            }
            run.setLength(0);
            runIsStderr = null;
        }
    }
}
