package dev.llmgraph.shell;

import java.util.List;

/** How one snippet went: it ran (perhaps with a value), it did not compile, or its code threw. */
public sealed interface SnippetOutcome {
    /**
     * The snippet ran (or declared something). {@code value} is null when it ran no code (a method or
     * class declaration); {@code expression} tells whether it was an expression whose value a notebook
     * shows; {@code notes} are remarks such as "class C cannot be used until class D is declared".
     */
    record Completed(InProcessExecution.Value value, boolean expression, List<String> notes)
            implements SnippetOutcome {}

    /** Compile errors, each already formatted as lines ({@code where: error: message}, source, caret). */
    record Rejected(String firstMessage, List<String> lines) implements SnippetOutcome {}

    /**
     * The code threw. {@code exceptionClass} is the thrown class's name, {@code lines} the exception,
     * its causes and a stack trace trimmed to the user's code, with snippet frames named by their lines;
     * {@code where} is the place of the innermost frame of user code ({@code demo.jsh:2}).
     */
    record Threw(String exceptionClass, String message, String where, List<String> lines)
            implements SnippetOutcome {}
}
