package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the shim's embedding functions ({@code llmgraph_context_new_embedding}, {@code llmgraph_embed_all})
 * and llama.cpp's {@code llama_pooling_type}: llama.cpp's encoders as the referee. A class of its own, so that a shim
 * built before these functions existed still serves {@link ShimApi}; this one then says, on first use, which
 * function is missing and how to rebuild.
 */
public final class EmbeddingApi {
    private EmbeddingApi() {}

    private static final NativeFunction CONTEXT_NEW = Downcalls.slow(NativeLibraries.shim(),
            "llmgraph_context_new_embedding", fn(PTR, PTR, INT, INT, INT));
    private static final NativeFunction EMBED_ALL = Downcalls.slow(NativeLibraries.shim(), "llmgraph_embed_all",
            fn(INT, PTR, PTR, INT, PTR));
    private static final NativeFunction POOLING_TYPE = Downcalls.quick(NativeLibraries.shim(), "llama_pooling_type",
            fn(INT, PTR));

    /** {@code pooling}: llama.cpp's enum llama_pooling_type, -1 for the model's own. NULL on failure. */
    public static MemorySegment llmgraph_context_new_embedding(MemorySegment model, int contextLength, int threads,
                                                               int pooling) {
        try {
            return (MemorySegment) CONTEXT_NEW.handle().invokeExact(model, contextLength, threads, pooling);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Encodes {@code count} tokens; writes count x n_embd floats (no pooling) or n_embd (pooled) to {@code out}. */
    public static int llmgraph_embed_all(MemorySegment ctx, MemorySegment tokens, int count, MemorySegment out) {
        try { return (int) EMBED_ALL.handle().invokeExact(ctx, tokens, count, out); } catch (Throwable t) { throw rethrow(t); }
    }

    /** The pooling a context applies (0 none, 1 mean, 2 CLS, 3 last, 4 rank). */
    public static int llama_pooling_type(MemorySegment ctx) {
        try { return (int) POOLING_TYPE.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
}
