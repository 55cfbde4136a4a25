package dev.llmgraph.shell;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each snippet came from, so that messages name a line of the user's text: {@code demo.jsh:4} for a
 * script, {@code cell [3] line 4} for a notebook cell. JShell itself names snippet frames {@code #12:2}.
 */
public final class Locations {
    /** How a front end spells a place: {@code (origin, line) -> text}. */
    @FunctionalInterface
    public interface Style {
        String place(String origin, int line);
    }

    /** {@code demo.jsh:4}, as javac writes file positions. */
    public static final Style SCRIPT = (origin, line) -> origin + ":" + line;
    /** {@code cell [3] line 4}. */
    public static final Style CELL = (origin, line) -> origin + " line " + line;

    private record Origin(String name, int firstLine) {}

    private final Style style;
    private final Map<String, Origin> bySnippetId = new ConcurrentHashMap<>();

    public Locations(Style style) {
        this.style = style;
    }

    void record(String snippetId, String origin, int firstLine) {
        bySnippetId.put(snippetId, new Origin(origin, firstLine));
    }

    /** The place of line {@code line} (1-based) of snippet {@code snippetId}; null if it is not known. */
    public String place(String snippetId, int line) {
        Origin origin = bySnippetId.get(snippetId);
        return origin == null ? null : style.place(origin.name(), origin.firstLine() + Math.max(line, 1) - 1);
    }

    /** Where snippet {@code snippetId} came from ({@code cell [3]}, {@code demo.jsh}); null if it is not known. */
    public String origin(String snippetId) {
        Origin origin = bySnippetId.get(snippetId);
        return origin == null ? null : origin.name();
    }

    /** The place of a line given directly (for compile errors, where the snippet may not be kept). */
    public String place(String origin, int firstLine, int lineInSnippet) {
        return style.place(origin, firstLine + lineInSnippet - 1);
    }
}
