package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/** Writes small notebooks (nbformat 4) for tests: one code cell per string, for the llmgraph kernel. */
final class TestNotebooks {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A cell that shows a rich value with {@code Display.show} ({@code <b>shown</b>}), then ends with one. */
    static final String SHOW_AND_VALUE = """
            record Bold(String text) implements RichDisplay {
                public Map<String, String> mimeBundle() {
                    return Map.of("text/html", "<b>" + text + "</b>", "text/plain", text);
                }
            }
            Display.show(new Bold("shown"));
            new Bold("value")""";

    private TestNotebooks() {}

    static Path write(Path file, String... codeCells) throws IOException {
        ObjectNode notebook = JSON.createObjectNode();
        ArrayNode cells = notebook.putArray("cells");
        for (int i = 0; i < codeCells.length; i++) {
            ObjectNode cell = cells.addObject();
            cell.put("cell_type", "code").put("id", "cell-" + i).putNull("execution_count");
            cell.putObject("metadata");
            cell.putArray("outputs");
            cell.put("source", codeCells[i]);
        }
        ObjectNode spec = notebook.putObject("metadata").putObject("kernelspec");
        spec.put("name", KernelSpec.NAME).put("display_name", KernelSpec.DISPLAY_NAME).put("language", "java");
        notebook.put("nbformat", 4).put("nbformat_minor", 5);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), notebook);
        return file;
    }
}
