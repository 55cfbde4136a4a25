package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * How a computation is stopped early. ggml's CPU backend calls an abort callback after every graph
 * node; the callback is a C function of the llmgraph shim that reads this native flag (a Java upcall per
 * node would cost microseconds each, several percent of a decode step). The flag is raised by
 * {@link Backend#interrupt()} and by a watcher thread that notices, within some 100 milliseconds, when a
 * computing thread has been interrupted (the notebook's stop button, a cell timeout). ggml's CUDA backend
 * has no such callback: there the flag is read when the graph has finished, so a stop takes effect between
 * graphs (one prompt batch, one decode step: milliseconds on a GPU).
 */
final class AbortFlag implements AutoCloseable {
    // Each wake-up preempts a ggml thread on a small machine (2 vCPUs at a 20 ms period: 64 wake-ups a second while
    // decoding, the compute threads preempted ~190 times a second); 100 ms keeps that rare and a stop prompt.
    private static final long WATCH_PERIOD_NANOS = 100_000_000;
    private static final Set<AbortFlag> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile Thread watcher;
    /** Whether the watcher parks until woken (nothing to watch) rather than for one period. */
    private static volatile boolean watcherIdle;
    private static volatile MemorySegment callback;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment flag = arena.allocate(ValueLayout.JAVA_INT);
    private volatile Thread computing;

    /** The flag's address, passed to ggml as the callback's data. */
    MemorySegment address() {
        return flag;
    }

    /** Stops the current computation after its running node. */
    void raise() {
        flag.set(ValueLayout.JAVA_INT, 0, 1);
    }

    /** Whether a stop was asked for since {@link #begin()}. */
    boolean raised() {
        return flag.get(ValueLayout.JAVA_INT, 0) != 0;
    }

    /** Called before a computation on the current thread: clears the flag and watches the thread. */
    void begin() {
        flag.set(ValueLayout.JAVA_INT, 0, Thread.currentThread().isInterrupted() ? 1 : 0);
        computing = Thread.currentThread();
        WATCHED.add(this);
        startWatcher();
    }

    /** Called after the computation. */
    void end() {
        WATCHED.remove(this);
        computing = null;
    }

    @Override
    public void close() {
        end();
        arena.close();
    }

    /** The C function ggml calls: the shim's flag reader, or a Java upcall when the shim is not there. */
    static MemorySegment callback() {
        MemorySegment c = callback;
        if (c == null) {
            synchronized (AbortFlag.class) {
                if (callback == null) {
                    callback = nativeReader();
                }
                c = callback;
            }
        }
        return c;
    }

    private static MemorySegment nativeReader() {
        try {
            return Downcalls.find(NativeLibraries.shim(), "llmgraph_abort_requested");
        } catch (NativeLibraryException e) {
            try {
                var reader = MethodHandles.lookup().findStatic(AbortFlag.class, "read",
                        MethodType.methodType(boolean.class, MemorySegment.class));
                return Linker.nativeLinker().upcallStub(reader, FunctionDescriptor.of(Downcalls.BOOL, Downcalls.PTR),
                        Arena.global());
            } catch (ReflectiveOperationException r) {
                throw new IllegalStateException(r);
            }
        }
    }

    /** The upcall fallback: reads the flag from Java. */
    private static boolean read(MemorySegment flag) {
        return flag.reinterpret(4).get(ValueLayout.JAVA_INT, 0) != 0;
    }

    private static void startWatcher() {
        Thread w = watcher;
        if (w == null) {
            synchronized (AbortFlag.class) {
                if (watcher == null) {
                    Thread t = new Thread(AbortFlag::watch, "llmgraph-interrupt-watch");
                    t.setDaemon(true);
                    t.start();
                    watcher = t;
                }
                w = watcher;
            }
        }
        // Woken only from its idle park: unparking it on every computation would wake it every decode step.
        if (watcherIdle) {
            LockSupport.unpark(w);
        }
    }

    private static void watch() {
        while (true) {
            if (WATCHED.isEmpty()) {
                watcherIdle = true;
                if (WATCHED.isEmpty()) { // a begin() after this line sees watcherIdle and unparks
                    LockSupport.park();
                }
                watcherIdle = false;
            } else {
                LockSupport.parkNanos(WATCH_PERIOD_NANOS);
            }
            for (AbortFlag f : WATCHED) {
                Thread t = f.computing;
                if (t != null && t.isInterrupted()) {
                    f.raise();
                }
            }
        }
    }
}
