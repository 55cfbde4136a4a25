package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw binding to the shim's {@code llmgraph_encode_decode_all}: llama.cpp's encoder-decoders ({@code t5}) as the
 * referee. A class of its own, so that a shim built before the function existed still serves {@link ShimApi}; this
 * one then says, on first use, which function is missing and how to rebuild.
 */
public final class EncoderDecoderApi {
    private EncoderDecoderApi() {}

    private static final NativeFunction ENCODE_DECODE_ALL = Downcalls.slow(NativeLibraries.shim(),
            "llmgraph_encode_decode_all", fn(INT, PTR, PTR, INT, PTR, INT, PTR));

    /**
     * Encodes {@code encoderCount} tokens, then decodes {@code decoderCount} tokens from position 0 and writes
     * decoderCount x n_vocab logits to {@code out}. 0 on success.
     */
    public static int llmgraph_encode_decode_all(MemorySegment ctx, MemorySegment encoderTokens, int encoderCount,
                                                 MemorySegment decoderTokens, int decoderCount, MemorySegment out) {
        try {
            return (int) ENCODE_DECODE_ALL.handle().invokeExact(ctx, encoderTokens, encoderCount, decoderTokens, decoderCount,
                    out);
        } catch (Throwable t) { throw rethrow(t); }
    }
}
