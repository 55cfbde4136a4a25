package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.EmbeddingApi;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * llama.cpp as the referee for encoders (its {@code bert} and the other embedding models): it loads a GGUF model on
 * the CPU with its own model code and returns, for a token sequence at positions 0 to n-1 in one batch, every token's
 * hidden state ({@code llama_get_embeddings_ith} with pooling none) and the pooled vector the file's
 * {@code <arch>.pooling_type} asks for ({@code llama_get_embeddings_seq}). llama.cpp does not normalise it.
 *
 * <p>Two contexts share the model: one without pooling, one with the model's own. Token ids and the length are
 * checked in Java first. Not thread-safe; close it to free both contexts and the model.
 */
public final class LlamaEmbeddings implements AutoCloseable {
    private static final int POOLING_NONE = 0;
    private static final int POOLING_OF_THE_MODEL = -1;

    private final LlamaModel model;
    private final int contextLength;
    private final MemorySegment perToken;
    private final MemorySegment pooled;
    private final int vocabSize;
    private final int width;
    private boolean closed;

    private LlamaEmbeddings(LlamaModel model, int contextLength, MemorySegment perToken, MemorySegment pooled) {
        this.model = model;
        this.contextLength = contextLength;
        this.perToken = perToken;
        this.pooled = pooled;
        this.vocabSize = LlamaApi.llama_vocab_n_tokens(model.vocab());
        this.width = LlamaApi.llama_model_n_embd(model.pointer());
    }

    /** Loads {@code gguf} for sequences of up to {@code contextLength} tokens, computed with {@code threads} threads. */
    public static LlamaEmbeddings open(Path gguf, int contextLength, int threads) {
        if (contextLength < 1 || threads < 1) {
            throw new IllegalArgumentException("contextLength = " + contextLength + " and threads = " + threads
                    + " must both be at least 1");
        }
        CpuThreads.requireAtMostMax("threads", threads);
        LlamaModel model = LlamaModel.load(gguf, LlamaPreflight.Use.FULL_MODEL, 0);
        MemorySegment perToken = context(model, contextLength, threads, POOLING_NONE);
        MemorySegment pooled;
        try {
            pooled = context(model, contextLength, threads, POOLING_OF_THE_MODEL);
        } catch (RuntimeException e) {
            ShimApi.llmgraph_context_free(perToken);
            throw e;
        }
        return new LlamaEmbeddings(model, contextLength, perToken, pooled);
    }

    private static MemorySegment context(LlamaModel model, int contextLength, int threads, int pooling) {
        LlamaLog.reset();
        MemorySegment context = EmbeddingApi.llmgraph_context_new_embedding(model.pointer(), contextLength, threads,
                pooling);
        if (Downcalls.isNull(context)) {
            model.close();
            throw new LlamaException("llama.cpp could not create an embedding context for " + model.path() + ": "
                    + LlamaLog.reason(ShimApi.llmgraph_last_error()));
        }
        return context;
    }

    public Path path() {
        return model.path();
    }

    /** The width of each embedding ({@code n_embd}). */
    public int embeddingLength() {
        return width;
    }

    /** llama.cpp's pooling for this model: 0 none, 1 mean, 2 CLS, 3 last, 4 rank. */
    public int poolingType() {
        ensureOpen();
        return EmbeddingApi.llama_pooling_type(pooled);
    }

    /** Every token's hidden state: {@code [position][n_embd]}. */
    public float[][] tokenEmbeddings(int... tokens) {
        float[] flat = run(perToken, "token embeddings", tokens, (long) tokens.length * width);
        float[][] out = new float[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            out[t] = java.util.Arrays.copyOfRange(flat, t * width, (t + 1) * width);
        }
        return out;
    }

    /** The pooled vector of the sequence [n_embd], as the model's pooling type makes it. */
    public float[] pooled(int... tokens) {
        int type = poolingType();
        if (type == POOLING_NONE || type > 3) {
            throw new IllegalStateException(path() + " pools with llama.cpp's pooling type " + type + ", which gives no "
                    + "single vector here; use tokenEmbeddings, or write the model with mean, CLS or last pooling");
        }
        return run(pooled, "a pooled embedding", tokens, width);
    }

    private float[] run(MemorySegment context, String what, int[] tokens, long floats) {
        ensureOpen();
        LlamaReference.checkTokens(what, path(), contextLength, vocabSize, tokens);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocateFrom(ValueLayout.JAVA_INT, tokens);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, floats);
            LlamaLog.reset();
            int status = EmbeddingApi.llmgraph_embed_all(context, ids, tokens.length, out);
            if (status != 0) {
                throw new LlamaException("llama.cpp could not encode " + tokens.length + " tokens with " + path()
                        + ": " + LlamaLog.reason(ShimApi.llmgraph_last_error()));
            }
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LlamaEmbeddings for " + path() + " already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ShimApi.llmgraph_context_free(perToken);
            ShimApi.llmgraph_context_free(pooled);
            model.close();
        }
    }
}
