package dev.llmgraph.ggml.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Routes ggml's log (and llama.cpp's, which logs through the same levels) to standard error, keeping only
 * warnings and errors unless the system property {@code llmgraph.ggml.log} is {@code info} or
 * {@code debug}. ggml prints every repacked tensor and buffer size by default, which buries a notebook's
 * output.
 */
public final class GgmlLog {
    private static final int DEBUG = 1, INFO = 2, WARN = 3, ERROR = 4, CONT = 5;
    private static volatile int threshold = WARN;
    private static volatile int lastLevel = WARN;
    private static final StringBuilder lastError = new StringBuilder();

    private GgmlLog() {}

    /** Installs the callback; called once when the libraries are opened. */
    static void install(java.lang.foreign.SymbolLookup lookup) {
        String setting = System.getProperty("llmgraph.ggml.log", "warn").trim().toLowerCase(java.util.Locale.ROOT);
        threshold = switch (setting) {
            case "debug" -> DEBUG;
            case "info" -> INFO;
            default -> WARN;
        };
        try {
            var target = MethodHandles.lookup().findStatic(GgmlLog.class, "log",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            FunctionDescriptor descriptor = FunctionDescriptor.ofVoid(Downcalls.INT, Downcalls.PTR, Downcalls.PTR);
            MemorySegment callback = Linker.nativeLinker().upcallStub(target, descriptor, Arena.global());
            var set = Linker.nativeLinker().downcallHandle(Downcalls.find(lookup, "ggml_log_set"),
                    FunctionDescriptor.ofVoid(Downcalls.PTR, Downcalls.PTR));
            set.invokeExact(callback, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Lowers or raises what is shown: "debug", "info" or "warn". */
    public static void level(String level) {
        threshold = switch (level) {
            case "debug" -> DEBUG;
            case "info" -> INFO;
            default -> WARN;
        };
    }

    /**
     * The last error ggml logged (e.g. ggml-cuda's "failed to initialize CUDA: ..."), without its trailing
     * newline; empty if none. Lets a Java exception quote the native reason.
     */
    public static String lastError() {
        synchronized (lastError) {
            return lastError.toString().strip();
        }
    }

    private static void log(int level, MemorySegment text, MemorySegment userData) {
        // CONT continues the previous message at the previous level.
        int effective = level == CONT ? lastLevel : level;
        lastLevel = effective;
        if (Downcalls.isNull(text)) {
            return;
        }
        String message = Downcalls.string(text);
        if (effective == ERROR) {
            synchronized (lastError) {
                if (level != CONT) {
                    lastError.setLength(0);
                }
                lastError.append(message);
            }
        }
        if (effective >= threshold) {
            System.err.print(message);
        }
    }
}
