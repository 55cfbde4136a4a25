package dev.llmgraph.fuzz;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the cases of a {@link FuzzTarget} one at a time, each on a worker thread under a time limit, and sorts
 * each outcome: accepted, refused with the format's own exception and a message, refused unhelpfully (another
 * exception type, or no message), crashed (a {@link Error} such as an out-of-memory or a stack overflow,
 * which in a notebook kernel is as bad as a dead JVM) or hung (past the limit; its thread is abandoned).
 *
 * <p>The formats fuzzed here are parsed in Java; a native abort in the model load that follows would end
 * the whole run, which the test then reports as failed.
 */
final class FuzzRunner {
    private final FuzzTarget target;
    private final Duration limit;

    FuzzRunner(FuzzTarget target, Duration limit) {
        this.target = target;
        this.limit = limit;
    }

    FuzzResult run(long seed, int from, int to, Path work) throws InterruptedException {
        FuzzResult result = new FuzzResult(target.format(), seed);
        ExecutorService worker = newWorker();
        try {
            for (int id = from; id < to; id++) {
                int caseId = id;
                StringBuilder what = new StringBuilder();
                Future<?> running = worker.submit(() -> {
                    target.run(seed, caseId, work, what);
                    return null;
                });
                try {
                    running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
                    result.accept();
                } catch (TimeoutException e) {
                    running.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker();
                    result.hung(caseId, what.toString());
                } catch (ExecutionException e) {
                    sort(result, caseId, what.toString(), e.getCause(), work);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        return result;
    }

    private void sort(FuzzResult result, int id, String what, Throwable thrown, Path work) {
        if (thrown instanceof Error) {
            result.crashed(id, what, thrown.toString());
            return;
        }
        String message = thrown.getMessage();
        if (!target.isOwnRefusal(thrown) || message == null || message.isBlank()) {
            StackTraceElement at = thrown.getStackTrace().length > 0 ? thrown.getStackTrace()[0] : null;
            result.unhelpful(id, what, thrown + (at == null ? "" : " at " + at));
            return;
        }
        result.refused(MessageShapes.of(message, work.toString()), thrown.getClass().getSimpleName());
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
    }
}
