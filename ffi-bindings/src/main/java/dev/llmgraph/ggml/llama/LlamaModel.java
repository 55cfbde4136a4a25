package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.RemoteDevice;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.NativeLibraries;
import dev.llmgraph.ggml.internal.RpcApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

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

    /** Loads {@code file} with {@code gpuLayers} layers on the GPU (llama.cpp's {@code n_gpu_layers}), plain buffers. */
    static LlamaModel load(Path file, LlamaPreflight.Use use, int gpuLayers) {
        return load(file, use, gpuLayers, false);
    }

    /**
     * As {@link #load(Path, LlamaPreflight.Use, int)}; with {@code repack}, weights the CPU multiplies faster in
     * a repacking buffer go there (llama.cpp's default, {@code use_extra_bufts}).
     */
    static LlamaModel load(Path file, LlamaPreflight.Use use, int gpuLayers, boolean repack) {
        NativeLibraries.shim(); // fails here, with words, rather than in a class initialiser
        Path path = file.toAbsolutePath();
        LlamaPreflight.check(path, use);
        LlamaLog.install();
        LlamaLog.reset();
        MemorySegment model;
        try (Arena arena = Arena.ofConfined()) {
            model = ShimApi.llmgraph_model_load(arena.allocateFrom(path.toString()),
                    use == LlamaPreflight.Use.TOKENIZER ? 1 : 0, gpuLayers, repack ? 1 : 0);
        }
        if (Downcalls.isNull(model)) {
            throw new LlamaException("llama.cpp could not load " + path + ": " + LlamaLog.reason("no reason given"));
        }
        return new LlamaModel(path, model);
    }

    /**
     * Loads {@code file} with its last {@code gpuLayers} layers (the output counting as one) on {@code devices}, in
     * the proportions {@code split} (null: by their free memory), as {@code llama-cli --device ... -ngl N
     * --tensor-split ...} does; the earlier layers stay on the CPU.
     */
    static LlamaModel loadOn(Path file, List<RemoteDevice> devices, int gpuLayers, float[] split) {
        NativeLibraries.shim();
        Path path = file.toAbsolutePath();
        LlamaPreflight.check(path, LlamaPreflight.Use.FULL_MODEL);
        if (split != null && split.length != devices.size()) {
            throw new IllegalArgumentException("a split of " + split.length + " shares for " + devices.size()
                    + " devices; give one share per device");
        }
        LlamaLog.install();
        LlamaLog.reset();
        MemorySegment model;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ValueLayout.ADDRESS, Math.max(1, devices.size()));
            for (int i = 0; i < devices.size(); i++) {
                devices.get(i).describe(); // checks the server before llama.cpp talks to it
                list.setAtIndex(ValueLayout.ADDRESS, i, devices.get(i).handle());
            }
            model = RpcApi.llmgraph_model_load_on(arena.allocateFrom(path.toString()), list, devices.size(), gpuLayers,
                    split == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_FLOAT, split));
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
