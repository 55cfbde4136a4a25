package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.RemoteDevice;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * llama.cpp as the referee: it loads a GGUF model with its own model code (on the CPU, or on a GPU with
 * {@link Settings#onGpu()}) and returns the
 * logits of every position of a token sequence, to compare with what llmgraph computes on the same weights.
 *
 * <p>Each {@link #logits(int...)} call starts from an empty KV cache and decodes the tokens at positions
 * 0, 1, ... in one batch. Token ids and the sequence length are checked in Java first.
 *
 * <p>What llama.cpp (the pinned version) needs to load a {@code llama} model, found by removing one piece at a
 * time from a working file ({@code LlamaReferenceTest} keeps the list honest):
 * <ul>
 *   <li>keys {@code general.architecture = "llama"}, {@code llama.context_length}, {@code llama.embedding_length},
 *       {@code llama.block_count}, {@code llama.feed_forward_length}, {@code llama.attention.head_count},
 *       {@code llama.attention.layer_norm_rms_epsilon} (u32 and f32); {@code llama.attention.head_count_kv} when
 *       it differs from the head count (GQA, MQA); {@code llama.rope.freq_base} defaults to 10000;
 *   <li>a tokenizer: at least {@code tokenizer.ggml.model}. The smallest is {@code "none"} with
 *       {@code llama.vocab_size}: token ids only, no text. One that encodes text is {@code "gpt2"} with
 *       {@code tokenizer.ggml.tokens} (one token per byte in GPT-2's byte-to-character mapping covers every
 *       text) and {@code tokenizer.ggml.merges} (may be empty); tokens must be distinct;
 *   <li>tensors (ggml order, {@code headDim = dModel / heads}): {@code token_embd.weight [dModel, vocab]},
 *       per block {@code N}: {@code blk.N.attn_norm.weight [dModel]}, {@code blk.N.attn_q.weight
 *       [dModel, heads*headDim]}, {@code attn_k} and {@code attn_v [dModel, kvHeads*headDim]},
 *       {@code attn_output [heads*headDim, dModel]}, {@code ffn_norm [dModel]}, {@code ffn_gate} and
 *       {@code ffn_up [dModel, ffnDim]}, {@code ffn_down [ffnDim, dModel]}; {@code output_norm.weight [dModel]};
 *       {@code output.weight [dModel, vocab]} is optional (without it the embeddings are tied).
 * </ul>
 * llama.cpp applies RoPE to adjacent pairs for {@code llama} (ggml's normal rope mode).
 *
 * <p>Not thread-safe. Close it to free the context and the model.
 */
public final class LlamaReference implements AutoCloseable {

    /**
     * How the reference runs.
     *
     * @param contextLength  the longest token sequence {@link #logits(int...)} accepts
     * @param threads        CPU threads for llama.cpp
     * @param flashAttention whether llama.cpp uses its flash-attention kernel
     * @param gpuLayers      how many layers llama.cpp places on the GPU ({@code -ngl}): 0 keeps everything,
     *                       and every op, on the CPU; {@link #ALL_LAYERS} offloads the whole model with its
     *                       output layer, as {@code llama-cli -ngl 99} does. Needs a CUDA build and a GPU.
     * @param repack         whether weights the CPU multiplies faster in a repacking buffer go there, as llama.cpp
     *                       loads them by default; off (the default here), every weight stays in a plain buffer,
     *                       as llmgraph keeps them unless asked to repack
     * @param stepTokens     the tokens llama.cpp computes in one graph ({@code n_ubatch}): 0 (the default) computes
     *                       all the tokens of a {@link #logits} call in one graph, as a prompt is processed; 1 one
     *                       token at a time, each graph reading the keys and values the ones before cached, as a
     *                       chat decodes
     */
    public record Settings(int contextLength, int threads, boolean flashAttention, int gpuLayers, boolean repack,
                           int stepTokens) {
        /** {@code gpuLayers} that puts every layer, and the output layer, on the GPU. */
        public static final int ALL_LAYERS = 999;

        public Settings {
            if (contextLength < 1) {
                throw new IllegalArgumentException("contextLength = " + contextLength + " must be at least 1");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads = " + threads + " must be at least 1");
            }
            CpuThreads.requireAtMostMax("threads", threads);
            if (gpuLayers < 0) {
                throw new IllegalArgumentException("gpuLayers = " + gpuLayers + " must be 0 (CPU) or more");
            }
            if (stepTokens < 0) {
                throw new IllegalArgumentException("stepTokens = " + stepTokens + " must be 0 (all tokens in one "
                        + "graph) or more (1: token by token)");
            }
        }

        /** 512 tokens, up to 4 threads, no flash attention, on the CPU, no repacking, all tokens in one graph. */
        public static Settings defaults() {
            return new Settings(512, Math.min(4, Runtime.getRuntime().availableProcessors()), false, 0, false, 0);
        }

        public Settings withContextLength(int contextLength) {
            return new Settings(contextLength, threads, flashAttention, gpuLayers, repack, stepTokens);
        }

        public Settings withThreads(int threads) {
            return new Settings(contextLength, threads, flashAttention, gpuLayers, repack, stepTokens);
        }

        public Settings withFlashAttention(boolean flashAttention) {
            return new Settings(contextLength, threads, flashAttention, gpuLayers, repack, stepTokens);
        }

        public Settings withGpuLayers(int gpuLayers) {
            return new Settings(contextLength, threads, flashAttention, gpuLayers, repack, stepTokens);
        }

        public Settings withRepack(boolean repack) {
            return new Settings(contextLength, threads, flashAttention, gpuLayers, repack, stepTokens);
        }

        /** One token per graph: the logits of a decode, token by token, rather than of a prompt. */
        public Settings tokenByToken() {
            return withStepTokens(1);
        }

        /** {@code stepTokens} tokens per graph, as a prompt fed in batches of that many. */
        public Settings withStepTokens(int stepTokens) {
            return new Settings(contextLength, threads, flashAttention, gpuLayers, repack, stepTokens);
        }

        /** The whole model on the GPU ({@link #ALL_LAYERS}). */
        public Settings onGpu() {
            return withGpuLayers(ALL_LAYERS);
        }
    }

    /** Architectures llama.cpp's model saver asserts on ({@code llama_model_saver_supports_arch}). */
    private static final Set<String> NOT_SAVABLE = Set.of("gemma3n", "bitnet", "t5", "apertus", "step35");

    private final LlamaModel model;
    private final Settings settings;
    private final MemorySegment context;
    private final int vocabSize;
    private MemorySegment adapter = MemorySegment.NULL;
    private boolean closed;

    private LlamaReference(LlamaModel model, Settings settings, MemorySegment context) {
        this.model = model;
        this.settings = settings;
        this.context = context;
        this.vocabSize = LlamaApi.llama_vocab_n_tokens(model.vocab());
    }

    /** Loads {@code gguf} with {@link Settings#defaults()}. */
    public static LlamaReference open(Path gguf) {
        return open(gguf, Settings.defaults());
    }

    public static LlamaReference open(Path gguf, Settings settings) {
        if (settings.gpuLayers() > 0) {
            Backend.cudaUnavailableReason().ifPresent(reason -> {
                throw new LlamaException("llama.cpp cannot put " + settings.gpuLayers() + " layers of " + gguf
                        + " on a GPU: " + reason + "; use Settings.withGpuLayers(0) for the CPU");
            });
        }
        LlamaModel model = LlamaModel.load(gguf, LlamaPreflight.Use.FULL_MODEL, settings.gpuLayers(), settings.repack());
        return withContext(model, settings, settings.gpuLayers() > 0);
    }

    /**
     * Loads {@code gguf} with its last {@code gpuLayers} layers (the output layer counting as one more) on
     * {@code devices} (RPC servers' devices) in the shares {@code split} (null: by their free memory), the rest on
     * this process's CPU: llama.cpp's own placement, as {@code llama-cli --rpc ... -ngl N --tensor-split ...}
     * does it.
     */
    public static LlamaReference openOn(Path gguf, Settings settings, List<RemoteDevice> devices, int gpuLayers,
                                        float[] split) {
        return withContext(LlamaModel.loadOn(gguf, devices, gpuLayers, split), settings, true);
    }

    private static LlamaReference withContext(LlamaModel model, Settings settings, boolean offloadOps) {
        LlamaLog.reset();
        MemorySegment context = ShimApi.llmgraph_context_new(model.pointer(), settings.contextLength(),
                settings.contextLength(), settings.stepTokens(), settings.threads(), settings.flashAttention() ? 1 : 0,
                offloadOps ? 1 : 0);
        if (Downcalls.isNull(context)) {
            model.close();
            throw new LlamaException("llama.cpp could not create a context for " + model.path() + ": "
                    + LlamaLog.reason("no reason given"));
        }
        return new LlamaReference(model, settings, context);
    }

    public Path path() {
        return model.path();
    }

    public Settings settings() {
        return settings;
    }

    /** Rows of the logits: the vocabulary size. */
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
     * The logits llama.cpp computes for {@code tokens} at positions 0 to n-1: {@code logits[position][token]}.
     */
    public float[][] logits(int... tokens) {
        ensureOpen();
        checkTokens("logits", path(), settings.contextLength(), vocabSize, tokens);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocateFrom(ValueLayout.JAVA_INT, tokens);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, (long) tokens.length * vocabSize);
            LlamaLog.reset();
            int status = ShimApi.llmgraph_decode_all(context, ids, tokens.length, out);
            if (status != 0) {
                throw new LlamaException("llama.cpp could not decode " + tokens.length + " tokens with " + path() + ": "
                        + LlamaLog.reason(ShimApi.llmgraph_last_error()));
            }
            float[][] logits = new float[tokens.length][];
            for (int position = 0; position < tokens.length; position++) {
                logits[position] = out.asSlice(4L * position * vocabSize, 4L * vocabSize).toArray(ValueLayout.JAVA_FLOAT);
            }
            return logits;
        }
    }

    /**
     * Applies the LoRA adapter in {@code adapterFile} (llama.cpp's adapter GGUF: {@code general.type = adapter})
     * to every later {@link #logits} call, its update scaled by {@code scale} on top of the file's alpha / rank,
     * as {@code llama-cli --lora-scaled FILE SCALE} does. It replaces an adapter applied before.
     */
    public void applyLora(Path adapterFile, float scale) {
        ensureOpen();
        Path absolute = adapterFile.toAbsolutePath();
        if (!Files.isRegularFile(absolute)) {
            throw new IllegalArgumentException("no LoRA adapter file at " + absolute);
        }
        try (GgufFile checked = GgufFile.open(absolute)) { // ggml's own GGUF reader aborts on some malformed files
            if (!checked.has("general.type") || !checked.getString("general.type").equals("adapter")) {
                throw new IllegalArgumentException(absolute + " is not an adapter: its general.type is not 'adapter'");
            }
        }
        MemorySegment loaded;
        try (Arena arena = Arena.ofConfined()) {
            LlamaLog.reset();
            loaded = LlamaApi.llama_adapter_lora_init(model.pointer(), arena.allocateFrom(absolute.toString()));
            if (Downcalls.isNull(loaded)) {
                throw new LlamaException("llama.cpp could not load the LoRA adapter " + absolute + " for " + path()
                        + ": " + LlamaLog.reason("no reason given"));
            }
            MemorySegment adapters = arena.allocateFrom(ValueLayout.ADDRESS, loaded);
            MemorySegment scales = arena.allocateFrom(ValueLayout.JAVA_FLOAT, scale);
            LlamaApi.llama_set_adapters_lora(context, adapters, 1, scales);
        }
        LlamaApi.llama_adapter_lora_free(adapter);
        adapter = loaded;
    }

    /** Token ids within the vocabulary and a sequence length within the context, checked before llama.cpp sees them. */
    static void checkTokens(String what, Path path, int contextLength, int vocabSize, int[] tokens) {
        if (tokens.length < 1 || tokens.length > contextLength) {
            throw new IllegalArgumentException(what + " of " + tokens.length + " tokens: the reference for " + path
                    + " takes 1 to " + contextLength + " tokens; open it with "
                    + "Settings.withContextLength(" + Math.max(1, tokens.length) + ") for longer sequences");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + " is out of range: "
                        + "the vocabulary of " + path + " has " + vocabSize + " tokens (ids 0 to " + (vocabSize - 1)
                        + ")");
            }
        }
    }

    /**
     * Writes the loaded model with llama.cpp's own GGUF writer ({@code llama_model_save_to_file},
     * {@code src/llama-model-saver.cpp}): every hyperparameter key llama.cpp knows for the architecture, in its
     * own types and with its defaults filled in, and the tensors as loaded. A file written by llama.cpp rather
     * than by llmgraph, for testing readers against llama.cpp's conventions.
     */
    public void saveModel(Path target) {
        ensureOpen();
        String architecture;
        try (GgufFile file = GgufFile.open(path())) {
            architecture = file.getString("general.architecture");
        }
        if (NOT_SAVABLE.contains(architecture)) {
            throw new LlamaException("llama.cpp's model saver cannot write a '" + architecture + "' model (it would "
                    + "abort the process)");
        }
        Path absolute = target.toAbsolutePath();
        try (Arena arena = Arena.ofConfined()) {
            LlamaLog.reset();
            LlamaApi.llama_model_save_to_file(model.pointer(), arena.allocateFrom(absolute.toString()));
        }
        if (!Files.isRegularFile(absolute)) {
            throw new LlamaException("llama.cpp could not write " + absolute + ": "
                    + LlamaLog.reason("no reason given"));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LlamaReference for " + path() + " already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ShimApi.llmgraph_context_free(context);
            LlamaApi.llama_adapter_lora_free(adapter);
            model.close();
        }
    }
}
