package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.CaptureApi;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's forward pass with every named intermediate tensor kept: {@code attn_norm-0}, {@code Qcur-0},
 * {@code kq-0}, {@code kq_soft_max-0}, {@code ffn_out-0}, {@code l_out-0}, ..., {@code result_norm},
 * {@code result_output}. The shim's evaluation callback copies each as f32 in C while the graph runs (the
 * scheduler then computes up to each named node in turn, slower than a plain forward but the same ops), and
 * {@link #capture(int...)} reads the copies once the batch is done.
 *
 * <p>On the CPU only: the point is to compare with llmgraph node by node, not speed. Where llama.cpp names
 * two tensors alike (the product and then the roped {@code Qcur-0}), the last one computed is kept. Its K/V
 * cache is as long as {@link LlamaReference.Settings#contextLength()}, padded by llama.cpp (256 cells), so
 * {@code kq} and {@code kq_soft_max} have more key columns than the prompt has tokens.
 *
 * <p>Not thread-safe. Close it to free the context, the store and the model.
 */
public final class LlamaIntermediates implements AutoCloseable {
    private final LlamaModel model;
    private final LlamaReference.Settings settings;
    private final MemorySegment capture;
    private final MemorySegment context;
    private final int vocabSize;
    private boolean closed;

    private LlamaIntermediates(LlamaModel model, LlamaReference.Settings settings, MemorySegment capture,
                               MemorySegment context) {
        this.model = model;
        this.settings = settings;
        this.capture = capture;
        this.context = context;
        this.vocabSize = LlamaApi.llama_vocab_n_tokens(model.vocab());
    }

    /**
     * Loads {@code gguf} with llama.cpp on the CPU. A file llama.cpp cannot load throws {@link LlamaException}
     * with llama.cpp's own words.
     */
    public static LlamaIntermediates open(Path gguf, LlamaReference.Settings settings) {
        if (settings.gpuLayers() != 0) {
            throw new IllegalArgumentException("gpuLayers = " + settings.gpuLayers() + ": intermediate tensors are "
                    + "captured on the CPU only; use Settings.withGpuLayers(0)");
        }
        LlamaModel model = LlamaModel.load(gguf, LlamaPreflight.Use.FULL_MODEL, 0);
        MemorySegment capture = CaptureApi.llmgraph_capture_new();
        LlamaLog.reset();
        MemorySegment context = CaptureApi.llmgraph_context_new_capturing(model.pointer(), settings.contextLength(),
                settings.threads(), settings.flashAttention() ? 1 : 0, capture);
        if (Downcalls.isNull(context)) {
            CaptureApi.llmgraph_capture_free(capture);
            model.close();
            throw new LlamaException("llama.cpp could not create a context for " + model.path() + ": "
                    + LlamaLog.reason("no reason given"));
        }
        return new LlamaIntermediates(model, settings, capture, context);
    }

    public Path path() {
        return model.path();
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** The model's width ({@code n_embd}). */
    public int embeddingLength() {
        return LlamaApi.llama_model_n_embd(model.pointer());
    }

    public int layers() {
        return LlamaApi.llama_model_n_layer(model.pointer());
    }

    /**
     * The named tensors of one forward pass over {@code tokens} at positions 0 to n-1 (all logits wanted), in
     * the order llama.cpp first computed them.
     */
    public List<CapturedTensor> capture(int... tokens) {
        if (closed) {
            throw new IllegalStateException("LlamaIntermediates for " + path() + " already closed");
        }
        LlamaReference.checkTokens("a capture", path(), settings.contextLength(), vocabSize, tokens);
        CaptureApi.llmgraph_capture_clear(capture);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocateFrom(ValueLayout.JAVA_INT, tokens);
            MemorySegment logits = arena.allocate(ValueLayout.JAVA_FLOAT, (long) tokens.length * vocabSize);
            LlamaLog.reset();
            int status = ShimApi.llmgraph_decode_all(context, ids, tokens.length, logits);
            if (status != 0) {
                throw new LlamaException("llama.cpp could not decode " + tokens.length + " tokens with " + path()
                        + ": " + LlamaLog.reason(ShimApi.llmgraph_last_error()));
            }
        }
        String failed = CaptureApi.llmgraph_capture_failed(capture);
        if (!failed.isEmpty()) {
            throw new LlamaException("llama.cpp's tensor '" + failed + "' of " + path() + " could not be copied as "
                    + "f32 (a quantized tensor whose rows are not contiguous)");
        }
        int count = CaptureApi.llmgraph_capture_count(capture);
        List<CapturedTensor> tensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long[] ne = new long[4];
            long elements = 1;
            for (int d = 0; d < 4; d++) {
                ne[d] = CaptureApi.llmgraph_capture_ne(capture, i, d);
                elements *= ne[d];
            }
            int dims = 4;
            while (dims > 1 && ne[dims - 1] == 1) {
                dims--;
            }
            float[] values = CaptureApi.llmgraph_capture_data(capture, i)
                    .reinterpret(4L * elements).toArray(ValueLayout.JAVA_FLOAT);
            tensors.add(new CapturedTensor(CaptureApi.llmgraph_capture_name(capture, i), Arrays.copyOf(ne, dims),
                    values));
        }
        return tensors;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ShimApi.llmgraph_context_free(context);
            CaptureApi.llmgraph_capture_free(capture);
            model.close();
        }
    }
}
