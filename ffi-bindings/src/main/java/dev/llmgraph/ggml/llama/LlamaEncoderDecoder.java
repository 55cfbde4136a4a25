package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.EncoderDecoderApi;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * llama.cpp as the referee for encoder-decoders (its {@code t5}): it loads a GGUF model on the CPU with its own model
 * code, encodes an input with {@code llama_encode} (which keeps the encoder's output for cross-attention), decodes a
 * decoder sequence from position 0 with {@code llama_decode}, and returns the logits of every decoder position. Each
 * call starts from an empty cache. Token ids and lengths are checked in Java first. Not thread-safe; close it to free
 * the context and the model.
 */
public final class LlamaEncoderDecoder implements AutoCloseable {
    private final LlamaModel model;
    private final MemorySegment context;
    private final int contextLength;
    private final int vocabSize;
    private boolean closed;

    private LlamaEncoderDecoder(LlamaModel model, MemorySegment context, int contextLength) {
        this.model = model;
        this.context = context;
        this.contextLength = contextLength;
        this.vocabSize = LlamaApi.llama_vocab_n_tokens(model.vocab());
    }

    /** Loads {@code gguf} for inputs and outputs of up to {@code contextLength} tokens, with {@code threads} threads. */
    public static LlamaEncoderDecoder open(Path gguf, int contextLength, int threads) {
        if (contextLength < 1 || threads < 1) {
            throw new IllegalArgumentException("contextLength = " + contextLength + " and threads = " + threads
                    + " must both be at least 1");
        }
        CpuThreads.requireAtMostMax("threads", threads);
        LlamaModel model = LlamaModel.load(gguf, LlamaPreflight.Use.FULL_MODEL, 0);
        LlamaLog.reset();
        // The whole input in one batch: llama.cpp's encoder sees every token at once.
        MemorySegment context = ShimApi.llmgraph_context_new(model.pointer(), contextLength, contextLength, 0, threads, 0,
                0);
        if (Downcalls.isNull(context)) {
            model.close();
            throw new LlamaException("llama.cpp could not create a context for " + gguf + ": "
                    + LlamaLog.reason(ShimApi.llmgraph_last_error()));
        }
        return new LlamaEncoderDecoder(model, context, contextLength);
    }

    public Path path() {
        return model.path();
    }

    /** The decoder's logits [decoder position][vocab] for {@code decoderTokens} over the encoded {@code input}. */
    public float[][] logits(int[] input, int[] decoderTokens) {
        ensureOpen();
        LlamaReference.checkTokens("the encoder input", path(), contextLength, vocabSize, input);
        LlamaReference.checkTokens("the decoder input", path(), contextLength, vocabSize, decoderTokens);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_INT, input);
            MemorySegment dec = arena.allocateFrom(ValueLayout.JAVA_INT, decoderTokens);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, (long) decoderTokens.length * vocabSize);
            LlamaLog.reset();
            int status = EncoderDecoderApi.llmgraph_encode_decode_all(context, in, input.length, dec,
                    decoderTokens.length, out);
            if (status != 0) {
                throw new LlamaException("llama.cpp could not encode " + input.length + " and decode "
                        + decoderTokens.length + " tokens with " + path() + ": "
                        + LlamaLog.reason(ShimApi.llmgraph_last_error()));
            }
            float[][] logits = new float[decoderTokens.length][];
            for (int t = 0; t < decoderTokens.length; t++) {
                logits[t] = out.asSlice((long) t * vocabSize * Float.BYTES, (long) vocabSize * Float.BYTES)
                        .toArray(ValueLayout.JAVA_FLOAT);
            }
            return logits;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LlamaEncoderDecoder for " + path() + " already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ShimApi.llmgraph_context_free(context);
            model.close();
        }
    }
}
