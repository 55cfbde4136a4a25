package dev.llmgraph.ggml.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.INT64;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the capture part of the shim ({@code native/shim/shim_capture.c}): a llama.cpp context whose
 * evaluation callback copies every named node as f32 into a store in C, read here afterwards. Kept apart from
 * {@link ShimApi} so that a shim built before these functions existed fails only here, with its message.
 * Nothing here checks indices; callers stay below {@link #llmgraph_capture_count}.
 */
public final class CaptureApi {
    private CaptureApi() {}

    private static final SymbolLookup L = NativeLibraries.shim();

    private static NativeFunction q(String name, FunctionDescriptor d) {
        return Downcalls.quick(L, name, d);
    }

    private static final NativeFunction NEW = q("llmgraph_capture_new", fn(PTR));
    private static final NativeFunction CLEAR = q("llmgraph_capture_clear", fnVoid(PTR));
    private static final NativeFunction FREE = q("llmgraph_capture_free", fnVoid(PTR));
    private static final NativeFunction CONTEXT_NEW = Downcalls.slow(L, "llmgraph_context_new_capturing",
            fn(PTR, PTR, INT, INT, INT, PTR));
    private static final NativeFunction COUNT = q("llmgraph_capture_count", fn(INT, PTR));
    private static final NativeFunction NAME = q("llmgraph_capture_name", fn(PTR, PTR, INT));
    private static final NativeFunction NE = q("llmgraph_capture_ne", fn(INT64, PTR, INT, INT));
    private static final NativeFunction DATA = q("llmgraph_capture_data", fn(PTR, PTR, INT));
    private static final NativeFunction FAILED = q("llmgraph_capture_failed", fn(PTR, PTR));

    public static MemorySegment llmgraph_capture_new() {
        try { return (MemorySegment) NEW.handle().invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void llmgraph_capture_clear(MemorySegment capture) {
        try { CLEAR.handle().invokeExact(capture); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void llmgraph_capture_free(MemorySegment capture) {
        try { FREE.handle().invokeExact(capture); } catch (Throwable t) { throw rethrow(t); }
    }
    /** A context of {@code contextLength} tokens (one batch) whose graphs copy their named nodes into capture. */
    public static MemorySegment llmgraph_context_new_capturing(MemorySegment model, int contextLength, int threads,
                                                               int flashAttention, MemorySegment capture) {
        try {
            return (MemorySegment) CONTEXT_NEW.handle().invokeExact(model, contextLength, threads, flashAttention, capture);
        } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llmgraph_capture_count(MemorySegment capture) {
        try { return (int) COUNT.handle().invokeExact(capture); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String llmgraph_capture_name(MemorySegment capture, int index) {
        try { return Downcalls.string((MemorySegment) NAME.handle().invokeExact(capture, index)); } catch (Throwable t) { throw rethrow(t); }
    }
    /** Size of dimension {@code dim} (0 to 3, ggml order) of tensor {@code index}. */
    public static long llmgraph_capture_ne(MemorySegment capture, int index, int dim) {
        try { return (long) NE.handle().invokeExact(capture, index, dim); } catch (Throwable t) { throw rethrow(t); }
    }
    /** The f32 elements of tensor {@code index}, ggml order ({@code ne[0]} fastest), unsized. */
    public static MemorySegment llmgraph_capture_data(MemorySegment capture, int index) {
        try { return (MemorySegment) DATA.handle().invokeExact(capture, index); } catch (Throwable t) { throw rethrow(t); }
    }
    /** The first wanted tensor the callback could not copy, or "". */
    public static String llmgraph_capture_failed(MemorySegment capture) {
        try { return Downcalls.string((MemorySegment) FAILED.handle().invokeExact(capture)); } catch (Throwable t) { throw rethrow(t); }
    }
}
