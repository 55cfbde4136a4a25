package dev.llmgraph.display;

import java.time.Duration;

/**
 * Progress of long work: a live-updating line in a notebook (one display, then updates under the same
 * display id), a progress bar in a terminal.
 * <pre>{@code
 * try (var p = Progress.start("generating", 200, "tokens")) {
 *     for (int i = 0; i < 200 && !Thread.currentThread().isInterrupted(); i++) {
 *         ... p.step();
 *     }
 * }
 * }</pre>
 * Which one is chosen follows {@link Display#sink()}: a sink that {@link DisplaySink#supportsUpdates()} gets
 * the live display, otherwise the terminal bar (me.tongfei:progressbar) writes to standard error, or, where that is
 * a log file or a pipe rather than a terminal, a line at the start and one at the end. Stopping on
 * interruption is the caller's job, as above. A total of 0 or less means "unknown": only the count shows.
 */
public final class Progress implements AutoCloseable {
    /** How a progress shows itself. */
    interface View {
        void started(Progress p);

        void advanced(Progress p);

        void finished(Progress p);
    }

    private final String task;
    private final long total;
    private final String unit;
    private final long startNanos = System.nanoTime();
    private final View view;
    private long done;
    private String message = "";
    private boolean closed;

    private Progress(String task, long total, String unit, View view) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.view = view;
        view.started(this);
    }

    public static Progress start(String task, long total) {
        return start(task, total, "");
    }

    /** Starts showing progress of {@code task} toward {@code total} {@code unit}s (e.g. "tokens"). */
    public static Progress start(String task, long total, String unit) {
        DisplaySink sink = Display.sink();
        View view = sink.supportsUpdates() ? new NotebookProgress(sink)
                : stderrIsTerminal() ? new TerminalProgress() : new LogProgress(System.err);
        return new Progress(task, total, unit, view);
    }

    /** Starts {@code task} shown through {@code view} (tests choose the view). */
    static Progress start(String task, long total, String unit, View view) {
        return new Progress(task, total, unit, view);
    }

    /** Whether standard error reaches a terminal (a redrawn bar), not a log file or a pipe (plain lines). */
    private static boolean stderrIsTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    public synchronized void step() {
        step(1);
    }

    public synchronized void step(long n) {
        set(done + n);
    }

    /** Sets the amount done. */
    public synchronized void set(long done) {
        checkOpen();
        this.done = done;
        view.advanced(this);
    }

    /** A short note shown after the counts, e.g. the last token generated. */
    public synchronized void message(String message) {
        checkOpen();
        this.message = message == null ? "" : message;
        view.advanced(this);
    }

    public String task() {
        return task;
    }

    public long total() {
        return total;
    }

    public String unit() {
        return unit;
    }

    public synchronized long done() {
        return done;
    }

    public synchronized String message() {
        return message;
    }

    public boolean knownTotal() {
        return total > 0;
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Units per second since the start. */
    public synchronized double rate() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds > 0 ? done / seconds : 0;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            view.finished(this);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("progress '" + task + "' is already closed");
        }
    }
}
