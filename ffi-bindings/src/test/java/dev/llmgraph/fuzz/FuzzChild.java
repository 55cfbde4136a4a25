package dev.llmgraph.fuzz;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The child JVM that {@link ChildJvmFuzzRunner} starts: runs cases of one {@link FuzzTarget} one after the other,
 * each on a worker thread under a time limit, and reports each on stdout, so that a native abort ends only this
 * process and the parent learns which case did it.
 *
 * <p>Arguments: target class, seed, first case, end case (exclusive), work folder, case limit in milliseconds.
 * Output, one line per event, fields separated by tabs:
 * <pre>
 * CASE id                      before the case starts
 * ACCEPTED id
 * REFUSED id Type: normalised message       (the format's own exception, with words)
 * UNHELPFUL id what thrown                  (another exception, or no message)
 * CRASHED id what error                     (a Java Error: out of memory, stack overflow; the child then stops)
 * HUNG id what limit                        (past the case limit; the child then stops)
 * DONE
 * </pre>
 * A child that stops after a CRASHED or HUNG line, or dies in a case, is replaced by a new one from the next case.
 */
public final class FuzzChild {
    static final int STOPPED_AFTER_ERROR = 3;
    static final int STOPPED_AFTER_HANG = 124;

    private FuzzChild() {}

    public static void main(String[] args) throws Exception {
        Class<?> type = Class.forName(args[0]);
        long seed = Long.parseLong(args[1]);
        int from = Integer.parseInt(args[2]);
        int to = Integer.parseInt(args[3]);
        Path work = Path.of(args[4]);
        long limitMillis = Long.parseLong(args[5]);
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // what the code under test prints must not be read as a report
        ExecutorService worker = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
        try (FuzzTarget target = make(type, work)) {
            for (int id = from; id < to; id++) {
                int caseId = id;
                StringBuilder what = new StringBuilder();
                protocol.println(line("CASE", id));
                Future<?> running = worker.submit(() -> {
                    target.run(seed, caseId, work, what);
                    return null;
                });
                try {
                    running.get(limitMillis, TimeUnit.MILLISECONDS);
                    protocol.println(line("ACCEPTED", id));
                } catch (TimeoutException e) {
                    // The case's thread cannot be stopped safely (it may be inside native code): stop the JVM.
                    protocol.println(line("HUNG", id, snapshot(what), "still running after " + limitMillis + " ms"));
                    Runtime.getRuntime().halt(STOPPED_AFTER_HANG);
                } catch (ExecutionException e) {
                    report(protocol, target, id, snapshot(what), e.getCause(), work);
                }
            }
        }
        protocol.println("DONE");
        Runtime.getRuntime().halt(0); // threads the code under test left behind must not keep the child alive
    }

    private static void report(PrintStream protocol, FuzzTarget target, int id, String what, Throwable thrown,
                               Path work) {
        if (thrown instanceof Error) {
            protocol.println(line("CRASHED", id, what, thrown.toString()));
            Runtime.getRuntime().halt(STOPPED_AFTER_ERROR); // an Error may have left the JVM half-done
        }
        String message = thrown.getMessage();
        if (!target.isOwnRefusal(thrown) || message == null || message.isBlank()) {
            StackTraceElement[] stack = thrown.getStackTrace();
            protocol.println(line("UNHELPFUL", id, what, thrown + (stack.length == 0 ? "" : " at " + stack[0])));
            return;
        }
        protocol.println(line("REFUSED", id,
                thrown.getClass().getSimpleName() + ": " + MessageShapes.of(message, work.toString())));
    }

    private static FuzzTarget make(Class<?> type, Path work) throws ReflectiveOperationException {
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            Class<?>[] parameters = constructor.getParameterTypes();
            if (parameters.length == 1 && parameters[0] == Path.class) {
                constructor.setAccessible(true);
                return (FuzzTarget) constructor.newInstance(work);
            }
        }
        Constructor<?> plain = type.getDeclaredConstructor();
        plain.setAccessible(true);
        return (FuzzTarget) plain.newInstance();
    }

    /** The description so far: a hung case's thread may still be writing it. */
    private static String snapshot(StringBuilder what) {
        try {
            return what.toString();
        } catch (RuntimeException e) {
            return "(its description was being written)";
        }
    }

    private static String line(String kind, int id, String... fields) {
        StringBuilder out = new StringBuilder(kind).append('\t').append(id);
        for (String field : fields) {
            out.append('\t').append(field.replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
        }
        return out.toString();
    }
}
