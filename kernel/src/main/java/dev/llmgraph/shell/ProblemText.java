package dev.llmgraph.shell;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.UnresolvedReferenceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Turns JShell's compile diagnostics and exceptions into the lines a person reads. */
final class ProblemText {
    /** Longest run of library frames shown whole; a longer one shows its first few. */
    private static final int LIBRARY_RUN_LIMIT = 6;
    private static final int LIBRARY_RUN_SHOWN = 4;

    private ProblemText() {}

    /**
     * javac's layout: {@code where: error: message}, the source line, a caret under the column, then the
     * message's detail lines ({@code symbol: ...}); JShell's {@code location:} lines name its own wrapper
     * classes and are left out.
     */
    static List<String> compileError(Diag diag, SourceSnippet snippet, String place) {
        String[] message = diag.getMessage(Locale.ROOT).split("\n");
        long position = Math.max(0, Math.min(diag.getStartPosition(), snippet.source().length()));
        String source = snippet.source();
        int lineStart = source.lastIndexOf('\n', (int) position - 1) + 1;
        int lineEnd = source.indexOf('\n', (int) position);
        String sourceLine = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
        List<String> lines = new ArrayList<>();
        lines.add(place + ": error: " + message[0]);
        lines.add(sourceLine);
        lines.add(" ".repeat((int) position - lineStart) + "^");
        for (int i = 1; i < message.length; i++) {
            if (!message[i].strip().startsWith("location:")) {
                lines.add(message[i]);
            }
        }
        return lines;
    }

    /** {@code class C cannot be used until class D is declared}. */
    static String unresolved(JShell shell, DeclarationSnippet snippet) {
        List<String> missing = shell.unresolvedDependencies(snippet).toList();
        return describe(snippet) + " cannot be used until " + String.join(" and ", missing) + " "
                + (missing.size() == 1 ? "is" : "are") + " declared";
    }

    /** The exception and its causes, with a stack trace in terms of the user's lines. */
    static List<String> exception(JShell shell, JShellException exception, Locations locations) {
        List<String> lines = new ArrayList<>();
        lines.add(header(shell, exception));
        StackTraceElement[] frames = exception.getStackTrace();
        appendFrames(lines, frames, frames.length, locations);
        Throwable enclosing = exception;
        for (Throwable cause = exception.getCause(); cause != null; cause = cause.getCause()) {
            StackTraceElement[] causeFrames = cause.getStackTrace();
            int shared = sharedTail(causeFrames, enclosing.getStackTrace());
            lines.add("Caused by: " + header(shell, cause));
            appendFrames(lines, causeFrames, causeFrames.length - shared, locations);
            if (shared > 0) {
                lines.add("\t... " + shared + " more");
            }
            enclosing = cause;
        }
        return lines;
    }

    /**
     * A Java exception thrown outside evaluation (while a cell's value is shown, say) with its causes, its frames
     * in terms of the user's lines as for {@link #exception}.
     */
    static List<String> thrown(Throwable t, Locations locations) {
        List<String> lines = new ArrayList<>();
        lines.add(t.toString());
        StackTraceElement[] frames = t.getStackTrace();
        appendFrames(lines, frames, frames.length, locations);
        Throwable enclosing = t;
        for (Throwable cause = t.getCause(); cause != null; cause = cause.getCause()) {
            StackTraceElement[] causeFrames = cause.getStackTrace();
            int shared = sharedTail(causeFrames, enclosing.getStackTrace());
            lines.add("Caused by: " + cause);
            appendFrames(lines, causeFrames, causeFrames.length - shared, locations);
            if (shared > 0) {
                lines.add("\t... " + shared + " more");
            }
            enclosing = cause;
        }
        return lines;
    }

    /** The place of the innermost frame that runs snippet code, or null if none does. */
    static String innermostUserPlace(JShellException exception, Locations locations) {
        for (StackTraceElement frame : exception.getStackTrace()) {
            if (isSnippetFrame(frame)) {
                return locations.place(frame.getFileName().substring(1), frame.getLineNumber());
            }
        }
        return null;
    }

    static String exceptionClass(JShellException exception) {
        return exception instanceof EvalException eval ? eval.getExceptionClassName()
                : exception.getClass().getName();
    }

    private static String header(JShell shell, Throwable t) {
        if (t instanceof UnresolvedReferenceException unresolved) {
            return "UnresolvedReferenceException: " + unresolved(shell, unresolved.getSnippet());
        }
        String name = t instanceof EvalException eval ? eval.getExceptionClassName() : t.getClass().getName();
        return t.getMessage() == null ? name : name + ": " + t.getMessage();
    }

    /**
     * Frames of user code are all shown, named by their lines. A run of more than
     * {@value #LIBRARY_RUN_LIMIT} library frames (a stream pipeline between a lambda and the line that
     * started it, say) keeps its first {@value #LIBRARY_RUN_SHOWN} and counts the rest.
     */
    private static void appendFrames(List<String> lines, StackTraceElement[] frames, int count, Locations locations) {
        // The stop check's own frame says nothing about the user's code.
        int i = count > 0 && frames[0].getClassName().equals(StopCheck.class.getName()) ? 1 : 0;
        while (i < count) {
            if (isSnippetFrame(frames[i])) {
                lines.add("\tat " + frame(frames[i], locations));
                i++;
                continue;
            }
            int runEnd = i;
            while (runEnd < count && !isSnippetFrame(frames[runEnd])) {
                runEnd++;
            }
            int shown = runEnd - i > LIBRARY_RUN_LIMIT ? LIBRARY_RUN_SHOWN : runEnd - i;
            for (int k = i; k < i + shown; k++) {
                lines.add("\tat " + frames[k]);
            }
            if (i + shown < runEnd) {
                lines.add("\t... " + (runEnd - i - shown) + " frames of library code");
            }
            i = runEnd;
        }
    }

    private static boolean isSnippetFrame(StackTraceElement frame) {
        return frame.getFileName() != null && frame.getFileName().startsWith("#") || wrapperSnippet(frame) != null;
    }

    /**
     * The snippet id of a frame of JShell's wrapper class {@code REPL.$JShell$12} as the JVM reports it when the
     * snippet's code is called from outside an evaluation (a display renderer); null for other frames. JShell
     * translates such frames to {@code #12:line} only for exceptions of an evaluation.
     */
    private static String wrapperSnippet(StackTraceElement frame) {
        String owner = frame.getClassName();
        String prefix = "REPL.$JShell$";
        if (!owner.startsWith(prefix)) {
            return null;
        }
        String rest = owner.substring(prefix.length());
        int end = 0;
        while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
            end++;
        }
        return end == 0 ? null : rest.substring(0, end);
    }

    private static String frame(StackTraceElement frame, Locations locations) {
        if (!isSnippetFrame(frame)) {
            return frame.toString();
        }
        String wrapped = wrapperSnippet(frame);
        if (wrapped != null) { // the cell is known, the line of the user's text is not (JShell keeps that mapping)
            String origin = locations.origin(wrapped);
            String method = frame.getMethodName().startsWith("lambda$") ? "lambda" : frame.getMethodName();
            return method + "(" + (origin == null ? "snippet #" + wrapped : origin) + ")";
        }
        String snippetId = frame.getFileName().substring(1);
        String place = locations.place(snippetId, frame.getLineNumber());
        if (place == null) {
            place = "snippet " + frame.getFileName() + ":" + frame.getLineNumber();
        }
        String owner = frame.getClassName();
        // javac names a lambda lambda$do_it$$0 after JShell's wrapper method; the reader wrote a lambda.
        String method = frame.getMethodName().startsWith("lambda$") ? "lambda" : frame.getMethodName();
        String who = owner.isEmpty() ? method : method.isEmpty() ? owner : owner + "." + method;
        return who.isEmpty() ? place : who + "(" + place + ")";
    }

    private static int sharedTail(StackTraceElement[] inner, StackTraceElement[] outer) {
        int shared = 0;
        while (shared < inner.length && shared < outer.length
                && inner[inner.length - 1 - shared].equals(outer[outer.length - 1 - shared])) {
            shared++;
        }
        return shared;
    }

    private static String describe(Snippet snippet) {
        String kind = switch (snippet.kind()) {
            case TYPE_DECL -> switch (snippet.subKind()) {
                case INTERFACE_SUBKIND -> "interface";
                case ENUM_SUBKIND -> "enum";
                case RECORD_SUBKIND -> "record";
                case ANNOTATION_TYPE_SUBKIND -> "annotation";
                default -> "class";
            };
            case METHOD -> "method";
            case VAR -> "variable";
            default -> "snippet";
        };
        String name = snippet instanceof DeclarationSnippet declaration ? declaration.name() : snippet.source();
        if (snippet instanceof jdk.jshell.MethodSnippet method) {
            name = name + "(" + method.parameterTypes() + ")";
        }
        return kind + " " + name;
    }

    /** Every error of {@code diagnostics}, formatted; used when a snippet is rejected. */
    static List<String> compileErrors(List<Diag> diagnostics, SourceSnippet snippet, String origin,
                                      Locations locations) {
        return diagnostics.stream().filter(Diag::isError)
                .flatMap(d -> compileError(d, snippet,
                        locations.place(origin, snippet.line(), snippet.lineOf((int) d.getStartPosition())
                                - snippet.line() + 1)).stream())
                .collect(Collectors.toList());
    }
}
