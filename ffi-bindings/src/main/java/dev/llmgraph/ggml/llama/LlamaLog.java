package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The log of llama.cpp and ggml, caught in Java. llama.cpp explains a failure in its log (first the cause,
 * "error loading model: tensor 'x' has wrong shape ...", then a generic "failed to load model") and returns
 * only NULL; this handler keeps the first error line since {@link #reset()} on each thread, so exceptions
 * can say why. Error lines also go to stderr; everything else only with {@code -Dllmgraph.llama.verbose=true}.
 */
final class LlamaLog {
    private static final int LEVEL_ERROR = 4; // GGML_LOG_LEVEL_ERROR
    private static final boolean VERBOSE = Boolean.getBoolean("llmgraph.llama.verbose");
    private static final ThreadLocal<String> FIRST_ERROR = new ThreadLocal<>();
    private static boolean installed;

    private LlamaLog() {}

    /** Initializes llama.cpp once per process and puts this handler in place of the shim's. */
    static synchronized void install() {
        if (installed) {
            return;
        }
        ShimApi.llmgraph_init(VERBOSE ? 1 : 0);
        try {
            var handle = MethodHandles.lookup().findStatic(LlamaLog.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            // llama.cpp keeps the callback for the rest of the process, so the stub must live as long.
            MemorySegment stub = Linker.nativeLinker().upcallStub(handle,
                    FunctionDescriptor.ofVoid(Downcalls.INT, Downcalls.PTR, Downcalls.PTR), Arena.global());
            LlamaApi.llama_log_set(stub, MemorySegment.NULL);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        installed = true;
    }

    /** Forgets this thread's error, before a call whose failure should be explained. */
    static void reset() {
        FIRST_ERROR.remove();
    }

    /** The first error line logged on this thread since {@link #reset()}, or null. */
    static String firstError() {
        return FIRST_ERROR.get();
    }

    /** Why a call failed: the first logged error, else {@code fallback}. */
    static String reason(String fallback) {
        String error = firstError();
        return error != null ? error : fallback;
    }

    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            String line = Downcalls.string(text);
            if (line == null) {
                return;
            }
            if (level == LEVEL_ERROR && FIRST_ERROR.get() == null && !line.isBlank()) {
                FIRST_ERROR.set(line.strip());
            }
            if (VERBOSE || level == LEVEL_ERROR) {
                System.err.print(line);
            }
        } catch (Throwable t) {
            // nothing may escape into C
        }
    }
}
