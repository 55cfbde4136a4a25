package dev.llmgraph.shell;

import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a text into JShell snippets with {@link SourceCodeAnalysis#analyzeCompletion}, remembering where
 * each starts, so that errors can name the line of the cell or script rather than of the snippet.
 */
public final class SnippetSplitter {
    private SnippetSplitter() {}

    /** Every snippet of {@code text}, in order. */
    public static List<SourceSnippet> split(SourceCodeAnalysis analysis, String text) {
        List<SourceSnippet> out = new ArrayList<>();
        for (SourceSnippet s = next(analysis, text, 0); s != null; s = next(analysis, text, s.offset() + s.length())) {
            out.add(s);
        }
        return out;
    }

    /** The first snippet at or after {@code offset}; null when only blanks and comments are left. */
    public static SourceSnippet next(SourceCodeAnalysis analysis, String text, int offset) {
        // Leading blank lines are skipped: JShell numbers a snippet's lines from its first character,
        // and a snippet that starts with a line break gets wrong line numbers in stack traces.
        int start = skipBlanks(text, offset);
        if (start == text.length()) {
            return null;
        }
        String rest = text.substring(start);
        SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
        if (info.completeness() == Completeness.EMPTY) {
            return null; // only comments are left
        }
        boolean complete = info.completeness().isComplete() && info.source() != null;
        int consumed = complete ? Math.max(1, rest.length() - info.remaining().length()) : rest.length();
        String source = complete ? info.source().strip() : rest.strip();
        return new SourceSnippet(source, start, lineAt(text, start), consumed, complete);
    }

    /** The index of the first character at or after {@code offset} that is not white space. */
    public static int skipBlanks(String text, int offset) {
        int i = offset;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The 1-based line of {@code text} that holds character {@code offset}. */
    public static int lineAt(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
