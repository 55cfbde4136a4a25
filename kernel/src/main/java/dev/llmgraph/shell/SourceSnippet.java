package dev.llmgraph.shell;

/**
 * One JShell snippet cut out of a larger text (a notebook cell, a script).
 *
 * @param source    what JShell evaluates (JShell may have added a closing semicolon)
 * @param offset    where the snippet starts in the larger text (0-based character index)
 * @param line      the line of the larger text on which the snippet starts (1-based)
 * @param length    how many characters of the larger text the snippet covers
 * @param complete  false when the text ends inside the snippet (an unclosed brace, say); JShell then
 *                  reports what is missing when it is evaluated
 */
public record SourceSnippet(String source, int offset, int line, int length, boolean complete) {
    /** The line of the larger text that holds character {@code position} of {@link #source()}. */
    public int lineOf(int position) {
        int lines = 0;
        for (int i = 0; i < Math.min(position, source.length()); i++) {
            if (source.charAt(i) == '\n') {
                lines++;
            }
        }
        return line + lines;
    }
}
