package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the {@code ggml-backend.h} calls that give tensors memory the caller already has: a CPU
 * buffer over a host pointer (llama.cpp's mmap path) and a tensor placed at an address inside a buffer.
 */
public final class InPlaceApi {
    private InPlaceApi() {}

    /** ggml's TENSOR_ALIGNMENT: a CPU buffer over a host pointer must start at a multiple of it. */
    public static final long TENSOR_ALIGNMENT = 32;

    private static final SymbolLookup L = NativeLibraries.ggml();
    private static final NativeFunction CPU_BUFFER_FROM_PTR = Downcalls.quick(L, "ggml_backend_cpu_buffer_from_ptr",
            fn(PTR, PTR, SIZE_T));
    private static final NativeFunction TENSOR_ALLOC = Downcalls.quick(L, "ggml_backend_tensor_alloc", fn(INT, PTR, PTR, PTR));
    private static final NativeFunction BUFFER_GET_TYPE = Downcalls.quick(L, "ggml_backend_buffer_get_type", fn(PTR, PTR));

    /** A CPU buffer over {@code size} bytes at {@code pointer}, which it neither copies nor frees. */
    public static MemorySegment ggml_backend_cpu_buffer_from_ptr(MemorySegment pointer, long size) {
        try { return (MemorySegment) CPU_BUFFER_FROM_PTR.handle().invokeExact(pointer, size); } catch (Throwable t) { throw rethrow(t); }
    }

    /** Gives {@code tensor} the memory at {@code address} inside {@code buffer}; 0 (GGML_STATUS_SUCCESS) on success. */
    public static int ggml_backend_tensor_alloc(MemorySegment buffer, MemorySegment tensor, MemorySegment address) {
        try { return (int) TENSOR_ALLOC.handle().invokeExact(buffer, tensor, address); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment ggml_backend_buffer_get_type(MemorySegment buffer) {
        try { return (MemorySegment) BUFFER_GET_TYPE.handle().invokeExact(buffer); } catch (Throwable t) { throw rethrow(t); }
    }
}
