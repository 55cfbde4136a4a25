package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.FLOAT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the ops of RWKV's time mixing ({@code ggml.h}): the WKV recurrences of RWKV-6 and RWKV-7 and the
 * L2 norm RWKV-7 normalises its keys with. The WKV ops assert (abort the process) on shapes they do not accept, so
 * {@code dev.llmgraph.ggml.RwkvOps} checks every one of those rules first.
 */
public final class RwkvApi {
    private RwkvApi() {}

    private static final SymbolLookup L = NativeLibraries.ggml();

    private static final NativeFunction WKV6 = Downcalls.quick(L, "ggml_rwkv_wkv6", fn(PTR, PTR, PTR, PTR, PTR, PTR,
            PTR, PTR));
    private static final NativeFunction WKV7 = Downcalls.quick(L, "ggml_rwkv_wkv7", fn(PTR, PTR, PTR, PTR, PTR, PTR,
            PTR, PTR, PTR));
    private static final NativeFunction L2_NORM = Downcalls.quick(L, "ggml_l2_norm", fn(PTR, PTR, PTR, FLOAT));

    public static MemorySegment ggml_rwkv_wkv6(MemorySegment ctx, MemorySegment k, MemorySegment v, MemorySegment r,
                                               MemorySegment first, MemorySegment decay, MemorySegment state) {
        try {
            return (MemorySegment) WKV6.handle().invokeExact(ctx, k, v, r, first, decay, state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment ggml_rwkv_wkv7(MemorySegment ctx, MemorySegment r, MemorySegment w, MemorySegment k,
                                               MemorySegment v, MemorySegment a, MemorySegment b,
                                               MemorySegment state) {
        try {
            return (MemorySegment) WKV7.handle().invokeExact(ctx, r, w, k, v, a, b, state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment ggml_l2_norm(MemorySegment ctx, MemorySegment a, float eps) {
        try { return (MemorySegment) L2_NORM.handle().invokeExact(ctx, a, eps); } catch (Throwable t) { throw rethrow(t); }
    }
}
