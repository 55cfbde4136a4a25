package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.NativeLibraries;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A model loaded by llama.cpp (weights or only the vocabulary), owned by a {@link Tokenizer} or a
 * {@link LlamaReference}. Files pass {@link LlamaPreflight} first, because llama.cpp's loader aborts the
 * process on some malformed input instead of reporting it.
 */
final class LlamaModel implements AutoCloseable {
    private final Path path;
    private final MemorySegment model;
    private boolean closed;

    private LlamaModel(Path path, MemorySegment model) {
        this.path = path;
        this.model = model;
    }

    /** Loads {@code file} on the CPU, only its vocabulary when {@code use} is the tokenizer. */
    static LlamaModel load(Path file, LlamaPreflight.Use use) {
        return load(file, use, 0);
    }

    /** Loads {@code file} with {@code gpuLayers} layers on the GPU (llama.cpp's {@code n_gpu_layers}). */
    static LlamaModel load(Path file, LlamaPreflight.Use use, int gpuLayers) {
        NativeLibraries.shim(); // fails here, with words, rather than in a class initialiser
        Path path = file.toAbsolutePath();
        LlamaPreflight.check(path, use);
        LlamaLog.install();
        LlamaLog.reset();
        MemorySegment model;
        try (Arena arena = Arena.ofConfined()) {
            model = ShimApi.llmgraph_model_load(arena.allocateFrom(path.toString()),
                    use == LlamaPreflight.Use.TOKENIZER ? 1 : 0, gpuLayers);
        }
        if (Downcalls.isNull(model)) {
            throw new LlamaException("llama.cpp could not load " + path + ": " + LlamaLog.reason("no reason given"));
        }
        return new LlamaModel(path, model);
    }

    Path path() {
        return path;
    }

    MemorySegment pointer() {
        if (closed) {
            throw new IllegalStateException("the llama.cpp model of " + path + " is already closed");
        }
        return model;
    }

    MemorySegment vocab() {
        return LlamaApi.llama_model_get_vocab(pointer());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ShimApi.llmgraph_model_free(model);
        }
    }
}
