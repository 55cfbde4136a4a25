package dev.llmgraph.kernel;

import dev.llmgraph.display.Display;
import dev.llmgraph.display.RichDisplay;
import dev.llmgraph.shell.InProcessExecution;
import dev.llmgraph.shell.Locations;
import dev.llmgraph.shell.ShellSession;
import dev.llmgraph.shell.SnippetOutcome;
import dev.llmgraph.shell.SourceSnippet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs cells, one at a time, on the kernel's cell thread, which owns the JShell session; completion and
 * inspection run there too, since JShell is not thread-safe.
 *
 * <p>Stopping a cell happens in stages, so that code which handles interrupts can end cleanly and code
 * which ignores them still ends: (1) the interrupt (the stop button, or the cell timeout) interrupts the
 * cell thread while it runs cell code; a {@code Thread.sleep}, a ggml computation, a loop that checks
 * {@code Thread.interrupted()} all end there. (2) If the cell still runs {@link #GRACE} later, or a
 * second interrupt arrives, the next branch of cell code throws. (3) If even that does not end it (a
 * library loop that ignores interrupts, a blocked native call), the cell is told that only a kernel
 * restart will stop it.
 */
final class CellRunner implements AutoCloseable {
    static final Duration GRACE = Duration.ofSeconds(2);
    static final Duration STUCK = Duration.ofSeconds(10);

    private final CellOutput output;
    private final ExecutorService cellThread = Executors.newSingleThreadExecutor(r -> daemon(r, "llmgraph-cell"));
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "llmgraph-cell-watchdog"));
    private final CompletableFuture<ShellSession> session;
    private volatile RunningCell current;

    /** A cell being run, and why it is being stopped (null while nobody asked). */
    private static final class RunningCell {
        final int count;
        volatile String stopReason;
        volatile boolean forced;

        RunningCell(int count) {
            this.count = count;
        }
    }

    CellRunner(CellOutput output) {
        this.output = output;
        // JShell starts (a second or two) while Jupyter is still connecting; the first cell waits for it.
        this.session = CompletableFuture.supplyAsync(() -> {
            ShellSession s = ShellSession.start(Locations.CELL,
                    List.of("import dev.llmgraph.kernel.Kernel;", "import java.time.Duration;"));
            s.startupProblems().forEach(p -> System.err.println("llmgraph kernel: " + p));
            StartupTimes.mark("jshell-ready");
            return s;
        }, cellThread);
        session.thenRunAsync(this::restateAnImport, cellThread);
    }

    /**
     * Restates one default import (ShellSession.restateNextImport) and queues the next behind whatever the cell
     * thread was given meanwhile, so that a cell or a completion waits for one import at most (~10 ms).
     */
    private void restateAnImport() {
        if (session.join().restateNextImport()) {
            try {
                cellThread.execute(this::restateAnImport);
            } catch (RejectedExecutionException e) {
                // the kernel is shutting down
            }
        }
    }

    /** Starts cell {@code count} on the cell thread; its end wakes the thread that relays its output. */
    Future<CellResult> submit(String code, int count) {
        return CompletableFuture.supplyAsync(() -> run(code, count), cellThread)
                .whenComplete((result, failure) -> output.wakeRelay());
    }

    /** Runs {@code task} with the session on the cell thread and waits for it. */
    <T> T withSession(Function<ShellSession, T> task) throws Exception {
        try {
            return cellThread.submit(() -> task.apply(session.join())).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The stop button: see the class comment for the stages. Called on Jupyter's control thread. */
    void interrupt() {
        stop("the cell was interrupted");
    }

    private void stop(String reason) {
        RunningCell cell = current;
        if (cell == null) {
            return;
        }
        InProcessExecution execution = session.join().execution();
        if (cell.stopReason == null) {
            cell.stopReason = reason;
            execution.interrupt();
            watchdog.schedule(() -> force(cell), GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            force(cell);
        }
    }

    private void force(RunningCell cell) {
        if (current != cell || cell.forced) {
            return;
        }
        cell.forced = true;
        session.join().execution().forceStop();
        watchdog.schedule(() -> {
            if (current == cell) {
                output.note("llmgraph: cell [" + cell.count + "] does not stop: it is probably blocked in library "
                        + "or native code that ignores interrupts. Restart the kernel (Kernel > Restart) to stop it; "
                        + "the variables of earlier cells are lost then.\n");
            }
        }, STUCK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CellResult run(String code, int count) {
        ShellSession shell = session.join();
        RunningCell cell = new RunningCell(count);
        Duration timeout = Kernel.cellTimeout();
        shell.execution().clearPendingInterrupt();
        current = cell;
        var timer = timeout.isZero() ? null : watchdog.schedule(
                () -> stop("the cell ran longer than the cell timeout of " + Kernel.describe(timeout)
                        + " and was interrupted"), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return evaluate(shell, code, cell);
        } finally {
            current = null;
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    private CellResult evaluate(ShellSession shell, String code, RunningCell cell) {
        List<SourceSnippet> snippets = shell.split(code);
        String origin = "cell [" + cell.count + "]";
        InProcessExecution.Value value = null;
        for (int i = 0; i < snippets.size(); i++) {
            if (cell.stopReason != null) {
                return interrupted(cell, List.of());
            }
            SnippetOutcome outcome = shell.eval(snippets.get(i), origin);
            switch (outcome) {
                case SnippetOutcome.Rejected rejected -> {
                    return new CellResult.Failed(CellResult.COMPILE_ERROR, rejected.firstMessage(), rejected.lines());
                }
                case SnippetOutcome.Threw threw -> {
                    return cell.stopReason != null ? interrupted(cell, threw.lines())
                            : new CellResult.Failed(simpleName(threw.exceptionClass()),
                            threw.message() == null ? "" : threw.message(), threw.lines());
                }
                case SnippetOutcome.Completed completed -> {
                    completed.notes().forEach(note -> System.err.println("note: " + note));
                    boolean last = i == snippets.size() - 1;
                    value = last && completed.expression() && !code.strip().endsWith(";") ? completed.value() : null;
                }
            }
        }
        if (cell.stopReason != null) {
            return interrupted(cell, List.of());
        }
        if (value == null) {
            return new CellResult.Ok(null);
        }
        try {
            return new CellResult.Ok(bundle(value.object()));
        } catch (RuntimeException e) {
            List<String> traceback = new ArrayList<>();
            traceback.add("while showing the cell's value:");
            traceback.addAll(shell.stackTrace(e));
            return new CellResult.Failed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), traceback);
        }
    }

    private static CellResult interrupted(RunningCell cell, List<String> cause) {
        List<String> traceback = new ArrayList<>();
        traceback.add(CellResult.INTERRUPTED + ": " + cell.stopReason);
        if (!cause.isEmpty()) {
            traceback.add("The cell stopped with:");
            traceback.addAll(cause);
        }
        return new CellResult.Failed(CellResult.INTERRUPTED, cell.stopReason, traceback);
    }

    /**
     * The MIME bundle of a cell's value, from {@link Display#bundleOf}: a {@link RichDisplay} shows its
     * HTML or SVG. A value that has only plain text is shown as JShell prints it ({@code "text"} quoted,
     * arrays with their elements) rather than as {@code toString()} ({@code [I@1b6d3586}).
     */
    private static Map<String, String> bundle(Object value) {
        Map<String, String> bundle = Display.bundleOf(value);
        if (!(value instanceof RichDisplay) && bundle.keySet().equals(java.util.Set.of("text/plain"))) {
            return Map.of("text/plain", InProcessExecution.describe(value));
        }
        return bundle;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        cellThread.shutdownNow();
        if (session.isDone() && !session.isCompletedExceptionally()) {
            session.join().close();
        }
    }
}
