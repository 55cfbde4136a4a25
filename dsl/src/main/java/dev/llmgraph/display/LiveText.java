package dev.llmgraph.display;

import java.io.PrintStream;
import java.util.Map;
import java.util.UUID;

/**
 * Text that grows while it is shown, such as a model's answer streamed token by token. In a notebook it is
 * one display updated in place under its display id (at most ten updates a second, and the whole text at the
 * end); in JShell or a terminal each piece is printed as it comes, and the line ends when this closes.
 * <pre>{@code
 * try (LiveText live = LiveText.start()) {
 *     for (String piece : pieces) {
 *         live.append(piece);
 *     }
 * }
 * }</pre>
 */
public final class LiveText implements AutoCloseable {
    private static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final DisplaySink sink;
    private final PrintStream out;
    private final String displayId = "llmgraph-text-" + UUID.randomUUID();
    private final StringBuilder text = new StringBuilder();
    private long lastNanos;
    private boolean shownAll = true;
    private boolean closed;

    private LiveText(DisplaySink sink, PrintStream out) {
        this.sink = sink;
        this.out = out;
        if (sink != null) {
            sink.display(bundle(), displayId);
            lastNanos = System.nanoTime();
        }
    }

    /** Shown where {@link Display#sink()} shows things: updated in place in a notebook, printed elsewhere. */
    public static LiveText start() {
        DisplaySink sink = Display.sink();
        return sink.supportsUpdates() ? new LiveText(sink, null) : new LiveText(null, System.out);
    }

    /** Shown through {@code sink}, which must support updates (a notebook's). */
    static LiveText updating(DisplaySink sink) {
        return new LiveText(sink, null);
    }

    /** Printed piece by piece to {@code out}. */
    static LiveText printing(PrintStream out) {
        return new LiveText(null, out);
    }

    /** Adds {@code piece} to the text and shows it. */
    public synchronized void append(String piece) {
        if (closed) {
            throw new IllegalStateException("this live text is closed; start another one");
        }
        text.append(piece);
        if (out != null) {
            out.print(piece);
            out.flush();
            return;
        }
        long now = System.nanoTime();
        if (now - lastNanos >= MIN_INTERVAL_NANOS) {
            sink.update(bundle(), displayId);
            lastNanos = now;
            shownAll = true;
        } else {
            shownAll = false;
        }
    }

    /** The text so far. */
    public synchronized String text() {
        return text.toString();
    }

    /** Shows the whole text (in a notebook) or ends the line (elsewhere). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (out != null) {
            out.println();
            out.flush();
        } else if (!shownAll) {
            sink.update(bundle(), displayId);
        }
    }

    private Map<String, String> bundle() {
        String html = "<pre class=\"llmgraph-text\" style=\"white-space:pre-wrap;margin:0\">" + Html.escape(text.toString())
                + "</pre>";
        return Map.of("text/plain", text.toString(), "text/html", html);
    }
}
