package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.FLOAT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the ops of linear attention ({@code ggml.h}): the gated linear attention recurrence and the ELU of
 * the elu(x) + 1 feature map. gated_linear_attn asserts (aborts the process) on shapes it does not accept, so
 * {@code dev.llmgraph.ggml.LinearAttentionOps} checks every one of those rules first.
 */
public final class LinearAttentionApi {
    private LinearAttentionApi() {}

    private static final SymbolLookup L = NativeLibraries.ggml();

    private static final NativeFunction GLA = Downcalls.quick(L, "ggml_gated_linear_attn", fn(PTR, PTR, PTR, PTR, PTR,
            PTR, PTR, FLOAT));
    private static final NativeFunction ELU = Downcalls.quick(L, "ggml_elu", fn(PTR, PTR, PTR));

    public static MemorySegment ggml_gated_linear_attn(MemorySegment ctx, MemorySegment k, MemorySegment v,
                                                       MemorySegment q, MemorySegment g, MemorySegment state,
                                                       float scale) {
        try {
            return (MemorySegment) GLA.handle().invokeExact(ctx, k, v, q, g, state, scale);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment ggml_elu(MemorySegment ctx, MemorySegment a) {
        try { return (MemorySegment) ELU.handle().invokeExact(ctx, a); } catch (Throwable t) { throw rethrow(t); }
    }
}
