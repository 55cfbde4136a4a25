package dev.llmgraph.kernel;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Notebook files (nbformat 4) as {@link NotebookExecutor} reads and writes them. Its {@code main} clears the outputs
 * of the files it is given, in place, as {@code jupyter nbconvert --clear-output} does: {@code bin/dist.sh} packs the
 * notebooks that way, since a dist runs them afresh (a tenth of their size compressed).
 */
public final class NotebookFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NotebookFiles() {}

    public static void main(String[] files) throws IOException {
        for (String file : files) {
            ObjectNode notebook = read(Path.of(file));
            clearOutputs(notebook);
            write(notebook, Path.of(file));
        }
    }

    /**
     * The notebook in {@code file}.
     *
     * @throws IllegalArgumentException naming what is wrong when the file is missing or not a notebook
     */
    static ObjectNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such notebook: " + file);
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + " is not a notebook: its JSON does not parse ("
                    + e.getOriginalMessage() + ")");
        }
        if (!(root instanceof ObjectNode notebook) || root.path("nbformat").asInt() != 4
                || !root.path("cells").isArray()) {
            throw new IllegalArgumentException(file + " is not a notebook of nbformat 4 (a JSON object with "
                    + "\"nbformat\": 4 and a \"cells\" array); open and save it in Jupyter to convert it");
        }
        return notebook;
    }

    static void write(ObjectNode notebook, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), notebook);
    }

    static List<ObjectNode> codeCells(ObjectNode notebook) {
        List<ObjectNode> cells = new ArrayList<>();
        for (JsonNode node : notebook.path("cells")) {
            if (node instanceof ObjectNode cell && "code".equals(cell.path("cell_type").asText())) {
                cells.add(cell);
            }
        }
        return cells;
    }

    /** Empties every code cell's outputs and execution count. */
    static void clearOutputs(ObjectNode notebook) {
        for (ObjectNode cell : codeCells(notebook)) {
            cell.putArray("outputs");
            cell.putNull("execution_count");
        }
    }

    /** A cell's code: nbformat stores it as one string or as a list of lines. */
    static String source(ObjectNode cell) {
        JsonNode source = cell.path("source");
        if (!source.isArray()) {
            return source.asText();
        }
        StringBuilder text = new StringBuilder();
        source.forEach(line -> text.append(line.asText()));
        return text.toString();
    }
}
