package dev.llmgraph.model;

import dev.llmgraph.model.lower.Weights;
import dev.llmgraph.model.lower.MemoryCheck;
import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.model.lower.LayerDevices;
import dev.llmgraph.model.lower.HostMemory;
import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Scheduler;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.ModelSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A spec compiled for a backend: its weights in backend memory and the graph builders that run them.
 * <pre>{@code
 * try (var model = Model.random(spec, 42)) {
 *     Logits logits = model.forward(1, 2, 3);
 *     Generation g = model.generate(new int[] {1, 2, 3}, GenerationConfig.greedy(20));
 * }
 * }</pre>
 * Close it to free all native memory (weights, caches, backends). A model and its sessions are used from
 * one thread at a time; they share one compute buffer, so sessions can take turns but not run at once: a
 * call while another thread is inside one is refused in words ({@link ConcurrentUseGuard}).
 */
public final class Model implements AutoCloseable {
    private final ModelSpec spec;
    private final ModelOptions options;
    private final List<Backend> backends;
    private final LayerDevices devices;
    private final ComputeMemory compute;
    private final Weights weights;
    private LoraAdapter adapter;
    private boolean closed;
    private final ConcurrentUseGuard guard;

    private Model(ModelSpec spec, ModelOptions options, ModelDevices devices, Weights weights) {
        this.spec = spec;
        this.options = options;
        this.backends = devices.scheduled();
        this.devices = devices.layers();
        this.weights = weights;
        this.guard = new ConcurrentUseGuard("model '" + spec.name() + "'");
        this.compute = new ComputeMemory(new Scheduler(backends, StepGraph.graphSize(this)));
    }

    /** Random weights by GPT-2's scheme with seed {@code seed}, on the CPU. */
    public static Model random(ModelSpec spec, long seed) {
        return create(spec, WeightSource.random(WeightInit.gpt2(seed)), ModelOptions.cpu());
    }

    /** Random weights by {@code init}, run with {@code options}. */
    public static Model random(ModelSpec spec, WeightInit init, ModelOptions options) {
        return create(spec, WeightSource.random(init), options);
    }

    /** Weights from {@code source} (a GGUF file, safetensors, random), run with {@code options}. */
    public static Model create(ModelSpec spec, WeightSource source, ModelOptions options) {
        options.validate();
        if (options.backend().equals("cpu")) {
            // before any native call: a host allocation that fails takes the notebook's kernel down with it
            HostMemory.available().ifPresent(available -> MemoryCheck.weights(spec, options, source, available));
        }
        ModelDevices devices = ModelDevices.open(spec, options);
        Weights weights = null;
        try {
            weights = Weights.create(spec, devices.layers(), options, source);
            return new Model(spec, options, devices, weights);
        } catch (RuntimeException e) {
            if (weights != null) {
                weights.close();
            }
            devices.scheduled().forEach(Backend::close);
            throw e;
        }
    }

    // ---- running -----------------------------------------------------------------------------------------

    /** Logits of every position for {@code tokens} (for a prefix decoder, all of them are the prefix). */
    public Logits forward(int... tokens) {
        return forward(tokens, spec.kind() == ArchitectureKind.PREFIX_DECODER ? tokens.length : 0);
    }

    /** Logits of every position, the first {@code prefixLength} tokens attending bidirectionally. */
    public Logits forward(int[] tokens, int prefixLength) {
        checkTokens(tokens, "input");
        if (prefixLength < 0 || prefixLength > tokens.length) {
            throw new IllegalArgumentException("prefixLength = " + prefixLength + ": must be between 0 and the "
                    + tokens.length + " tokens");
        }
        if (spec.encoder() && prefixLength == 0) { // bidirectional: one batch, the masked-LM head's logits
            return Encoding.of(this, tokens, null).logits();
        }
        if (prefixLength > 0 && spec.kind() != ArchitectureKind.PREFIX_DECODER) {
            throw new IllegalArgumentException("prefixLength = " + prefixLength + ": only a prefix decoder has a "
                    + "bidirectional prefix, and " + spec.name() + " is a " + spec.kind());
        }
        try (Session session = session(tokens.length)) {
            if (prefixLength == 0) {
                return session.feedAll(tokens);
            }
            Logits prefix = session.feedPrefix(Arrays.copyOf(tokens, prefixLength));
            if (prefixLength == tokens.length) {
                return prefix;
            }
            Logits rest = session.feedAll(Arrays.copyOfRange(tokens, prefixLength, tokens.length));
            return Logits.concat(List.of(prefix, rest));
        }
    }

    /**
     * One forward pass over {@code tokens} that also returns the named nodes (names as in the spec's shape
     * trace, e.g. {@code attn_norm.0}, {@code kq_softmax.1}, {@code l_out.1}). The tokens go in one batch.
     */
    public Inspection inspect(int[] tokens, String... nodes) {
        checkTokens(tokens, "input");
        int prefix = spec.kind() == ArchitectureKind.PREFIX_DECODER ? tokens.length : 0;
        try (ConcurrentUseGuard.Use use = guard.enter("model.inspect()"); KvCache cache = newCache(tokens.length)) {
            var result = StepGraph.once(this, cache, tokens, 0, prefix, true, List.of(nodes));
            return new Inspection(result.logits(), result.nodes());
        }
    }

    /** An encoder's hidden states and pooled vector for {@code tokens}, all of token type 0: {@link Encoding}. */
    public Encoding encode(int... tokens) {
        return Encoding.of(this, tokens, null);
    }

    /** An encoder's hidden states and pooled vector for {@code tokens} with their token types (segments). */
    public Encoding encode(int[] tokens, int[] tokenTypes) {
        return Encoding.of(this, tokens, tokenTypes);
    }

    /** An encoder's output for {@code tokens} attending as {@code mask} says (UniLM's three masks, one model). */
    public Encoding encode(int[] tokens, AttentionMask mask) {
        return encode(tokens, null, mask);
    }

    /** As {@link #encode(int[], AttentionMask)}, with the tokens' types (segments; null: all type 0). */
    public Encoding encode(int[] tokens, int[] tokenTypes, AttentionMask mask) {
        Encoding.checkMask(spec, "encode", mask);
        return Encoding.of(this, tokens, tokenTypes, mask);
    }

    /** An encoder's masked-LM logits for {@code tokens} attending as {@code mask} says (left to right: t sees 0..t). */
    public Logits forward(int[] tokens, AttentionMask mask) {
        Encoding.checkMask(spec, "forward", mask);
        return Encoding.of(this, tokens, null, mask).logits();
    }

    /** Which experts every sparse layer chose for each of {@code tokens}, with their weights: {@link Routing}. */
    public Routing routing(int[] tokens) {
        try (ConcurrentUseGuard.Use use = guard.enter("model.routing()")) {
            return Routing.of(this, tokens);
        }
    }

    /** Logits and named node values of an inspected forward pass. */
    public record Inspection(Logits logits, Map<String, NodeValue> nodes) {
        public NodeValue node(String name) {
            NodeValue value = nodes.get(name);
            if (value == null) {
                throw new IllegalArgumentException("node '" + name + "' was not inspected; this inspection holds "
                        + (nodes.isEmpty() ? "no nodes" : nodes.keySet()) + "; name it in model.inspect(tokens, \""
                        + name + "\", ...)");
            }
            return value;
        }
    }

    /** A decoding session with a KV cache as long as the context length. */
    public Session session() {
        return session(contextLength());
    }

    /** A decoding session whose cache holds {@code capacity} tokens. */
    public Session session(int capacity) {
        ensureOpen();
        Encoding.refuseDecoding(spec);
        if (capacity < 1 || capacity > contextLength()) {
            throw new IllegalArgumentException("a session holds 1 to " + contextLength() + " tokens (the context "
                    + "length), not " + capacity);
        }
        try (ConcurrentUseGuard.Use use = guard.enter("model.session()")) {
            return new Session(this, newCache(capacity, options.batchSize()));
        }
    }

    /**
     * Generates up to {@code config.maxNewTokens()} tokens after {@code prompt}. Stops early at a stop token,
     * when the context is full, or when the thread is interrupted (returning what it has); the result says which
     * ({@link Generation#stopReason()}).
     */
    public Generation generate(int[] prompt, GenerationConfig config) {
        checkTokens(prompt, "prompt");
        TokenChecks.checkStopTokens(config, spec.vocabSize());
        int capacity = Math.min(contextLength(), prompt.length + config.maxNewTokens());
        try (Session session = session(capacity)) {
            return GenerationLoop.run(session, spec.kind() == ArchitectureKind.PREFIX_DECODER, prompt, config,
                    capacity);
        }
    }

    // ---- adapters ----------------------------------------------------------------------------------------

    /**
     * Applies {@code adapter} (made for this model, or one of the same shapes) to every graph built from now on:
     * forward passes, sessions, generation, inspection and training. One adapter at a time.
     */
    public void attach(LoraAdapter adapter) {
        ensureOpen();
        if (this.adapter == adapter) {
            return;
        }
        if (this.adapter != null) {
            throw new IllegalStateException(spec.name() + " already has a LoRA adapter attached; detach it first "
                    + "(model.detach())");
        }
        adapter.attachTo(this);
        this.adapter = adapter;
    }

    /** Removes the attached adapter, if any: the model computes with its base weights alone again. */
    public void detach() {
        if (adapter != null) {
            adapter.detached();
            adapter = null;
        }
    }

    /** The attached adapter, if any. */
    public java.util.Optional<LoraAdapter> adapter() {
        return java.util.Optional.ofNullable(adapter);
    }

    /** The attached adapter, or null: what graphs built now apply. */
    LoraAdapter attachedAdapter() {
        return adapter;
    }

    // ---- inspection of the compiled model ----------------------------------------------------------------

    public ModelSpec spec() {
        return spec;
    }

    public ModelOptions options() {
        return options;
    }

    /** This process's backend, which holds the input layer (and, unless the model is split, every layer). */
    public Backend backend() {
        return devices.local();
    }

    /** Which layers, and how many bytes of weights and cache, live on which device ({@link ModelOptions#placement()}). */
    public PlacementTable placement() {
        return placement(null);
    }

    /** {@link #placement()} with {@code cache}'s bytes (none when null) on each device. */
    PlacementTable placement(KvCache cache) {
        ensureOpen();
        return PlacementTable.of(this, devices, backends, cache);
    }

    /** Whether some layers live on RPC servers. */
    public boolean split() {
        return devices.split();
    }

    /** The values of a weight by its llama.cpp name (e.g. {@code blk.0.attn_q.weight}), converted to floats. */
    public float[] weight(String name) {
        ensureOpen();
        try {
            return weights.get(name).toFloats();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (create the model with ModelOptions.withRepack(false) "
                    + "to read quantized weights back)", e);
        }
    }

    /**
     * The backend tensor of a weight, in its stored type, valid while this model is open: for writers that
     * copy its bytes as they are without a Java-heap copy (GGUF and safetensors exports).
     */
    public dev.llmgraph.ggml.Tensor weightTensor(String name) {
        ensureOpen();
        return weights.get(name);
    }

    /** The weight tensor names, in layout order. */
    public List<String> weightNames() {
        return weights.layout().stream().map(w -> w.name()).toList();
    }

    /** The stored type of a weight. */
    public dev.llmgraph.ggml.GgmlType weightType(String name) {
        ensureOpen();
        return weights.get(name).type();
    }

    /** Bytes of backend memory the weights take. */
    public long weightBytes() {
        ensureOpen();
        return weights.byteSize();
    }

    /** Bytes of the weights used in place from the memory-mapped model file ({@link ModelOptions#mapWeights()}). */
    public long mappedWeightBytes() {
        ensureOpen();
        return weights.mappedBytes();
    }

    /**
     * Weights mapped from the model file that products multiply through a repacked copy
     * ({@link ModelOptions#repackMapped()}); the weights themselves read back as stored.
     */
    public int repackedCopies() {
        ensureOpen();
        return weights.repackedCopies();
    }

    /** Layers multiplying by q, k and v as one matrix, which the file stores as one: the same numbers, fewer products. */
    public int stackedProjectionLayers() {
        ensureOpen();
        return weights.stackedProjectionLayers();
    }

    /** KV-cache capacity of sessions. */
    public int contextLength() {
        return options.runContext(spec.contextLength());
    }

    // ---- internals -----------------------------------------------------------------------------------------

    /** A cache of {@code size} positions written in one batch: every layer keeps every position. */
    KvCache newCache(int size) {
        return newCache(size, size);
    }

    /** A cache of {@code size} positions written {@code batch} at a time: a session's sliding layers keep one batch. */
    KvCache newCache(int size, int batch) {
        ensureOpen();
        return new KvCache(spec, devices, options.cacheType(), size, batch);
    }

    /** Enters a call that computes with or changes this model's native memory: see {@link ConcurrentUseGuard}. */
    ConcurrentUseGuard.Use use(String call) {
        return guard.enter(call);
    }

    Weights weights() {
        return weights;
    }

    /** The scheduler and which graph holds its memory; callers check that the model is open before computing. */
    ComputeMemory compute() {
        return compute;
    }

    void checkTokens(int[] tokens, String what) {
        ensureOpen();
        TokenChecks.check(tokens, what, spec.vocabSize(), contextLength());
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model '" + spec.name() + "' was closed; create a new one");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            try (ConcurrentUseGuard.Use use = guard.enter("model.close()")) {
                detach();
                closed = true;
                compute.scheduler().close();
                weights.close();
                backends.forEach(Backend::close);
            }
        }
    }

    @Override
    public String toString() {
        return "Model(" + spec.name() + " on " + (split() ? backends.toString() : devices.local().toString()) + ", "
                + options.matrixType() + " weights" + (closed || weights.mappedBytes() == 0 ? ""
                : String.format(java.util.Locale.ROOT, ", %.1f MiB of them mapped from the file", weights.mappedBytes() / 1048576.0)) + ")";
    }
}
