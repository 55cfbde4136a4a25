package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.INT64;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to ggml's state space ops ({@code ggml.h}): the depthwise causal convolution and the selective
 * scan of Mamba. Both assert (abort the process) on a shape they do not accept, so
 * {@code dev.llmgraph.ggml.SsmOps} checks every one of those rules first.
 */
public final class SsmApi {
    private SsmApi() {}

    private static final SymbolLookup L = NativeLibraries.ggml();

    private static final NativeFunction SSM_CONV = Downcalls.quick(L, "ggml_ssm_conv", fn(PTR, PTR, PTR, PTR));
    private static final NativeFunction SSM_SCAN = Downcalls.quick(L, "ggml_ssm_scan",
            fn(PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT64));

    public static MemorySegment ggml_ssm_conv(MemorySegment ctx, MemorySegment sx, MemorySegment c) {
        try { return (MemorySegment) SSM_CONV.handle().invokeExact(ctx, sx, c); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment ggml_ssm_scan(MemorySegment ctx, MemorySegment s, MemorySegment x, MemorySegment dt,
                                              MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment ids,
                                              long k) {
        try {
            return (MemorySegment) SSM_SCAN.handle().invokeExact(ctx, s, x, dt, a, b, c, ids, k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
