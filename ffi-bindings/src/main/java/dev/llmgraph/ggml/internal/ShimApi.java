package dev.llmgraph.ggml.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to {@code native/shim/llmgraph_shim.c}, the C layer over {@code llama.h} functions that take
 * structs by value (model and context parameters, batches). Failures return NULL or a negative number and
 * leave a message in {@link #llmgraph_last_error()} (per thread). Nothing here checks arguments: llama.cpp
 * indexes its vocabulary with {@code .at()}, whose exception cannot cross the C boundary and aborts the
 * process, so callers check token ids first.
 */
public final class ShimApi {
    private ShimApi() {}

    private static final SymbolLookup L = NativeLibraries.shim();

    private static NativeFunction q(String name, FunctionDescriptor d) {
        return Downcalls.quick(L, name, d);
    }

    private static NativeFunction s(String name, FunctionDescriptor d) {
        return Downcalls.slow(L, name, d);
    }

    private static final NativeFunction INIT = s("llmgraph_init", fnVoid(INT));
    private static final NativeFunction LAST_ERROR = q("llmgraph_last_error", fn(PTR));
    private static final NativeFunction MODEL_LOAD = s("llmgraph_model_load", fn(PTR, PTR, INT, INT, INT));
    private static final NativeFunction MODEL_FREE = s("llmgraph_model_free", fnVoid(PTR));
    private static final NativeFunction MODEL_N_VOCAB = q("llmgraph_model_n_vocab", fn(INT, PTR));
    private static final NativeFunction MODEL_META = s("llmgraph_model_meta", fn(INT, PTR, PTR, PTR, SIZE_T));
    private static final NativeFunction TOKENIZE = s("llmgraph_tokenize", fn(INT, PTR, PTR, INT, PTR, INT, INT, INT));
    private static final NativeFunction DETOKENIZE = s("llmgraph_detokenize", fn(INT, PTR, PTR, INT, PTR, INT, INT, INT));
    private static final NativeFunction TOKEN_TO_PIECE = s("llmgraph_token_to_piece", fn(INT, PTR, INT, PTR, INT, INT));
    private static final NativeFunction VOCAB_SPECIAL = q("llmgraph_vocab_special", fn(INT, PTR, INT));
    private static final NativeFunction CONTEXT_NEW = s("llmgraph_context_new", fn(PTR, PTR, INT, INT, INT, INT, INT, INT));
    private static final NativeFunction CONTEXT_FREE = s("llmgraph_context_free", fnVoid(PTR));
    private static final NativeFunction DECODE_ALL = s("llmgraph_decode_all", fn(INT, PTR, PTR, INT, PTR));

    /** Installs llama.cpp's log handler (errors to stderr, everything when {@code verbose}) and its backends. */
    public static void llmgraph_init(int verbose) {
        try { INIT.handle().invokeExact(verbose); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String llmgraph_last_error() {
        try { return Downcalls.string((MemorySegment) LAST_ERROR.handle().invokeExact()); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment llmgraph_model_load(MemorySegment path, int vocabOnly, int gpuLayers, int repack) {
        try { return (MemorySegment) MODEL_LOAD.handle().invokeExact(path, vocabOnly, gpuLayers, repack); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void llmgraph_model_free(MemorySegment model) {
        try { MODEL_FREE.handle().invokeExact(model); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llmgraph_model_n_vocab(MemorySegment model) {
        try { return (int) MODEL_N_VOCAB.handle().invokeExact(model); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llmgraph_model_meta(MemorySegment model, MemorySegment key, MemorySegment buf, long size) {
        try { return (int) MODEL_META.handle().invokeExact(model, key, buf, size); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llmgraph_tokenize(MemorySegment model, MemorySegment text, int textLength, MemorySegment tokens,
                                        int maxTokens, int addSpecial, int parseSpecial) {
        try {
            return (int) TOKENIZE.handle().invokeExact(model, text, textLength, tokens, maxTokens, addSpecial, parseSpecial);
        } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llmgraph_detokenize(MemorySegment model, MemorySegment tokens, int count, MemorySegment text,
                                          int maxLength, int removeSpecial, int unparseSpecial) {
        try {
            return (int) DETOKENIZE.handle().invokeExact(model, tokens, count, text, maxLength, removeSpecial, unparseSpecial);
        } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llmgraph_token_to_piece(MemorySegment model, int token, MemorySegment buf, int length, int special) {
        try { return (int) TOKEN_TO_PIECE.handle().invokeExact(model, token, buf, length, special); } catch (Throwable t) { throw rethrow(t); }
    }
    /** {@code which}: 0 BOS id, 1 EOS id, 2 whether BOS is added (-1 for an unknown {@code which}). */
    public static int llmgraph_vocab_special(MemorySegment model, int which) {
        try { return (int) VOCAB_SPECIAL.handle().invokeExact(model, which); } catch (Throwable t) { throw rethrow(t); }
    }
    /**
     * {@code stepTokens}: the tokens of one graph (0: the whole batch, 1: token by token); {@code offloadOps}: llama.cpp
     * may run large ops of CPU-resident layers on a GPU (its default).
     */
    public static MemorySegment llmgraph_context_new(MemorySegment model, int contextLength, int batch, int stepTokens,
                                                     int threads, int flashAttention, int offloadOps) {
        try {
            return (MemorySegment) CONTEXT_NEW.handle().invokeExact(model, contextLength, batch, stepTokens, threads,
                    flashAttention, offloadOps);
        } catch (Throwable t) { throw rethrow(t); }
    }
    public static void llmgraph_context_free(MemorySegment ctx) {
        try { CONTEXT_FREE.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    /** Decodes {@code count} tokens at positions 0.. in a fresh cache; writes count x vocab logits to {@code out}. */
    public static int llmgraph_decode_all(MemorySegment ctx, MemorySegment tokens, int count, MemorySegment out) {
        try { return (int) DECODE_ALL.handle().invokeExact(ctx, tokens, count, out); } catch (Throwable t) { throw rethrow(t); }
    }
}
