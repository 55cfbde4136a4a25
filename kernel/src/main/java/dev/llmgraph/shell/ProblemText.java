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
    /** Library frames shown above the first frame of user code; the rest are counted, not listed. */
    private static final int LIBRARY_FRAMES_SHOWN = 6;

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

    private static void appendFrames(List<String> lines, StackTraceElement[] allFrames, int allCount,
                                     Locations locations) {
        // The stop check's own frame says nothing about the user's code.
        int skipped = allCount > 0 && allFrames[0].getClassName().equals(StopCheck.class.getName()) ? 1 : 0;
        StackTraceElement[] frames = java.util.Arrays.copyOfRange(allFrames, skipped, allFrames.length);
        int count = allCount - skipped;
        int firstUserFrame = 0;
        while (firstUserFrame < count && !isSnippetFrame(frames[firstUserFrame])) {
            firstUserFrame++;
        }
        for (int i = 0; i < count; i++) {
            if (i == LIBRARY_FRAMES_SHOWN && firstUserFrame > LIBRARY_FRAMES_SHOWN + 1 && firstUserFrame < count) {
                lines.add("\t... " + (firstUserFrame - LIBRARY_FRAMES_SHOWN) + " frames of library code");
                i = firstUserFrame;
            }
            lines.add("\tat " + frame(frames[i], locations));
        }
    }

    private static boolean isSnippetFrame(StackTraceElement frame) {
        return frame.getFileName() != null && frame.getFileName().startsWith("#");
    }

    private static String frame(StackTraceElement frame, Locations locations) {
        if (!isSnippetFrame(frame)) {
            return frame.toString();
        }
        String snippetId = frame.getFileName().substring(1);
        String place = locations.place(snippetId, frame.getLineNumber());
        if (place == null) {
            place = "snippet " + frame.getFileName() + ":" + frame.getLineNumber();
        }
        String owner = frame.getClassName();
        String method = frame.getMethodName();
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
