package dev.llmgraph.shell;

/**
 * The check that {@link InProcessExecution} inserts before every branch of code compiled from snippets.
 * It lets a cell be stopped that ignores interrupts ({@code while (true) x++;}) now that
 * {@code Thread.stop} is gone: after a forced stop the next loop iteration or {@code if} in cell code,
 * on the thread being stopped, throws {@link ForcedStopError}. Library code is not instrumented; it sees
 * the thread interrupt only.
 */
public final class StopCheck {
    private static volatile Thread stopping;

    private StopCheck() {}

    /** Called from instrumented snippet code; public because snippet classes live in another package. */
    public static void check() {
        Thread target = stopping;
        if (target != null && target == Thread.currentThread()) {
            stopping = null; // throw once: a finally block in cell code may still clean up
            throw new ForcedStopError();
        }
    }

    static void stop(Thread thread) {
        stopping = thread;
    }

    static void clear() {
        stopping = null;
    }
}
