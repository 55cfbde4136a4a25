package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Scheduler;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.lower.CrossAttentionCache;
import dev.llmgraph.model.lower.EncoderDecoderLowering;
import dev.llmgraph.model.lower.GraphBuilder;
import dev.llmgraph.model.lower.HostMemory;
import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.model.lower.MemoryCheck;
import dev.llmgraph.model.lower.Weights;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.WeightLayout;
import dev.llmgraph.spec.plan.EncoderDecoderPlan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An encoder-decoder compiled for a backend: all its weights in one buffer under llama.cpp's {@code t5} names, read
 * by each stack's graph through its own plan's names.
 * <pre>{@code
 * try (var t5 = EncoderDecoderModel.random(spec, 42)) {
 *     EncoderOutput h = t5.encode(input);                 // once per input
 *     try (DecoderSession d = t5.decoder(h)) {            // cross-attention keys and values computed once here
 *         Logits first = d.start();                       // the decoder start token
 *         Logits next = d.feed(first.argmax(0));          // then one token at a time, with a KV cache
 *     }
 * }
 * }</pre>
 * Used from one thread at a time; close it to free all native memory.
 */
public final class EncoderDecoderModel implements AutoCloseable {
    private final EncoderDecoderSpec spec;
    private final ModelOptions options;
    private final Backend backend;
    private final Scheduler scheduler;
    private final Weights weights;
    private final Weights encoderWeights;
    private final Weights decoderWeights;
    private final ConcurrentUseGuard guard;
    /** How many graphs the scheduler has allocated: a graph holds the compute memory while its number is the last. */
    private long allocations;
    private boolean closed;

    private EncoderDecoderModel(EncoderDecoderSpec spec, ModelOptions options, Backend backend, Weights weights) {
        this.spec = spec;
        this.options = options;
        this.backend = backend;
        this.weights = weights;
        EncoderDecoderPlan plan = spec.plan();
        this.encoderWeights = weights.aliased(plan.storedNames(EncoderDecoderPlan.ENCODER));
        Map<String, String> decoderNames = new LinkedHashMap<>(plan.storedNames(EncoderDecoderPlan.DECODER));
        plan.cross().forEach(layer -> layer.forEach(w -> decoderNames.put(w.name(), w.name())));
        this.decoderWeights = weights.aliased(decoderNames);
        this.guard = new ConcurrentUseGuard("model '" + spec.name() + "'");
        this.scheduler = new Scheduler(List.of(backend), graphSize());
    }

    /** Random weights by GPT-2's scheme with seed {@code seed}, on the CPU. */
    public static EncoderDecoderModel random(EncoderDecoderSpec spec, long seed) {
        return create(spec, WeightSource.random(WeightInit.gpt2(seed)), ModelOptions.cpu());
    }

    /** Random weights by {@code init}, run with {@code options}. */
    public static EncoderDecoderModel random(EncoderDecoderSpec spec, WeightInit init, ModelOptions options) {
        return create(spec, WeightSource.random(init), options);
    }

    /** Weights from {@code source} (random, a GGUF file), run with {@code options} (CPU only for now). */
    public static EncoderDecoderModel create(EncoderDecoderSpec spec, WeightSource source, ModelOptions options) {
        options.validate();
        if (!options.backend().equals("cpu")) {
            throw new UnsupportedOperationException("an encoder-decoder runs on the CPU backend in this version, not "
                    + options.backend() + "; use ModelOptions.cpu()");
        }
        if (options.placement().remote()) {
            throw new UnsupportedOperationException("an encoder-decoder runs in one process in this version, not on RPC "
                    + "servers (" + options.placement() + "); use Placement.local()");
        }
        List<WeightLayout.Weight> layout = spec.plan().weights();
        // before any native call: a host allocation that fails takes the notebook's kernel down with it
        HostMemory.available().ifPresent(available -> MemoryCheck.weights(spec.name(), layout, options, source,
                available));
        Backend backend = Backend.byName(options.backend(), options.threads());
        try {
            Weights weights = Weights.create(spec.decoder(), spec.name(), layout, backend, options, source);
            return new EncoderDecoderModel(spec, options, backend, weights);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    public EncoderDecoderSpec spec() {
        return spec;
    }

    // ---- running -----------------------------------------------------------------------------------------

    /** The encoder's hidden states for {@code tokens}, every token seeing every token. */
    public EncoderOutput encode(int... tokens) {
        checkTokens(tokens, "encoder input");
        try (ConcurrentUseGuard.Use use = guard.enter("model.encode()");
             // scratch for one bidirectional batch, kept exact: llama.cpp's encoder keeps no cache at all
             KvCache cache = new KvCache(spec.encoder(), backend, GgmlType.F32, tokens.length);
             Context ctx = newContext()) {
            Graph graph = ctx.newGraph(graphSize());
            var built = EncoderDecoderLowering.encoder(spec, encoderWeights, cache, ctx, graph, tokens.length);
            allocate(graph);
            built.fill(tokens, 0);
            return new EncoderOutput(tokens, scheduler.computeAndRead(graph, built.output()), spec.dModel());
        }
    }

    /** The cross-attention keys and values of every decoder layer for {@code encoded}: computed once, read by steps. */
    public CrossAttentionCache crossAttention(EncoderOutput encoded) {
        ensureOpen();
        checkWidth(encoded);
        int s = encoded.tokens();
        CrossAttentionCache cache = CrossAttentionCache.allocate(backend, spec.decoderLayers(), spec.headDim(),
                spec.heads(), s, encoded);
        try (ConcurrentUseGuard.Use use = guard.enter("model.crossAttention()"); Context ctx = newContext()) {
            Graph graph = ctx.newGraph(graphSize());
            Tensor h = ctx.newTensor("enc_out", GgmlType.F32, spec.dModel(), s).markInput();
            cache.write(ctx, graph, decoderWeights, h);
            allocate(graph);
            h.setFloats(encoded.raw());
            scheduler.compute(graph);
            return cache;
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
    }

    /** A decoder session for {@code encoded}, its cross-attention cache computed here, holding the context length. */
    public DecoderSession decoder(EncoderOutput encoded) {
        return decoder(encoded, contextLength());
    }

    /** As {@link #decoder(EncoderOutput)}, its self-attention cache holding {@code capacity} tokens. */
    public DecoderSession decoder(EncoderOutput encoded, int capacity) {
        if (capacity < 1 || capacity > contextLength()) {
            throw new IllegalArgumentException("a decoder session holds 1 to " + contextLength() + " tokens (the "
                    + "context length), not " + capacity);
        }
        CrossAttentionCache cross = crossAttention(encoded);
        try {
            return new DecoderSession(this, encoded, cross, true, selfCache(capacity));
        } catch (RuntimeException e) {
            cross.close();
            throw e;
        }
    }

    /**
     * Writes up to {@code config.maxNewTokens()} tokens for {@code input}: encoded once, then decoded from the start
     * token one token at a time (stopping early at a stop token or an interrupt, as {@link Generation} says).
     */
    public Generation generate(int[] input, GenerationConfig config) {
        checkTokens(input, "encoder input");
        TokenChecks.checkStopTokens(config, spec.vocabSize());
        return EncoderDecoderGeneration.run(this, input, config);
    }

    /**
     * A decoder session for {@code encoded} reading the cross-attention keys and values {@code cross}, which must
     * have been computed from this very encoder output (the session does not close it).
     */
    public DecoderSession decoder(EncoderOutput encoded, CrossAttentionCache cross) {
        ensureOpen();
        checkWidth(encoded);
        if (cross.source() != encoded) {
            throw new IllegalArgumentException("this cross-attention cache was computed from another encoder output ("
                    + cross.encoderTokens() + " positions), not from the one given (" + encoded.tokens()
                    + " positions); its keys and values would attend to the wrong input: compute it with "
                    + "model.crossAttention(encoded), or call model.decoder(encoded)");
        }
        return new DecoderSession(this, encoded, cross, false, selfCache(spec.contextLength()));
    }

    /**
     * Teacher forcing: the encoder on {@code input}, then the decoder on the start token followed by {@code output}
     * in one batch; logits for every decoder position [(output + 1), vocab].
     */
    public Logits forward(int[] input, int[] output) {
        int[] decoderIds = new int[output.length + 1];
        decoderIds[0] = spec.decoderStartToken();
        System.arraycopy(output, 0, decoderIds, 1, output.length);
        EncoderOutput encoded = encode(input);
        try (DecoderSession session = decoder(encoded, Math.min(contextLength(), decoderIds.length))) {
            return session.feed(decoderIds);
        }
    }

    /** One decoder batch: {@code ids} at {@code start} with self-attention in {@code self}, reading {@code cross}. */
    Model.Inspection decode(KvCache self, CrossAttentionCache cross, int[] ids, int start, List<String> inspect) {
        try (ConcurrentUseGuard.Use use = guard.enter("decoderSession.feed()"); Context ctx = newContext()) {
            Graph graph = ctx.newGraph(graphSize());
            var shape = new GraphBuilder.Shape(ids.length, self.size, true);
            var built = EncoderDecoderLowering.decoder(spec, decoderWeights, self, cross, ctx, graph, shape);
            Map<String, Tensor> readBack = new LinkedHashMap<>();
            for (String name : inspect) {
                Tensor node = built.builder().named.get(name);
                if (node == null) {
                    throw new IllegalArgumentException("the decoder's graph has no node named '" + name + "'; it has "
                            + "e.g. cross_kq_softmax.0 (cross-attention weights [heads, tokens, encoder positions]), "
                            + "kq_softmax.0, cross_out.0, l_out.0");
                }
                Tensor readable = node.isContiguous() ? node : ctx.cont(node);
                graph.expand(readable.markOutput());
                readBack.put(name, readable);
            }
            if (!readBack.isEmpty()) {
                scheduler.reserve(graph); // a fresh plan: inspected nodes are kept only by their output flag
            }
            allocate(graph);
            built.fill(ids, start);
            Logits logits = new Logits(scheduler.computeAndRead(graph, built.output()), ids.length, spec.vocabSize());
            Map<String, NodeValue> nodes = new LinkedHashMap<>();
            readBack.forEach((name, t) -> nodes.put(name, new NodeValue(name, StepGraph.paperShape(t), t.toFloats())));
            return new Model.Inspection(logits, nodes);
        }
    }

    /** A graph for one new decoder token, to be reused step after step ({@link DecoderStepGraph}). */
    DecoderStepGraph stepGraph(KvCache self, CrossAttentionCache cross) {
        ensureOpen();
        Context ctx = newContext();
        try {
            Graph graph = ctx.newGraph(graphSize());
            var shape = new GraphBuilder.Shape(1, self.size, true);
            var built = EncoderDecoderLowering.decoder(spec, decoderWeights, self, cross, ctx, graph, shape);
            return new DecoderStepGraph(this, ctx, graph, built);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Gives {@code graph} the compute memory; returns its allocation number. */
    long allocate(Graph graph) {
        scheduler.allocate(graph);
        return ++allocations;
    }

    /** Whether the graph of allocation {@code allocation} still holds the compute memory. */
    boolean stillAllocated(long allocation) {
        return allocation == allocations;
    }

    float[] computeAndRead(Graph graph, Tensor output) {
        return scheduler.computeAndRead(graph, output);
    }

    ConcurrentUseGuard.Use use(String call) {
        return guard.enter(call);
    }

    // ---- the compiled model ------------------------------------------------------------------------------

    /** A weight's values by its stored (llama.cpp t5) name, e.g. {@code dec.blk.0.cross_attn_q.weight}. */
    public float[] weight(String name) {
        ensureOpen();
        return weights.get(name).toFloats();
    }

    /** The backend tensor of a weight in its stored type, valid while this model is open (for file writers). */
    public Tensor weightTensor(String name) {
        ensureOpen();
        return weights.get(name);
    }

    /** The weight names in storage order. */
    public List<String> weightNames() {
        return weights.layout().stream().map(WeightLayout.Weight::name).toList();
    }

    public long weightBytes() {
        return weights.byteSize();
    }

    private KvCache selfCache(int capacity) {
        ensureOpen();
        return new KvCache(spec.decoder(), backend, options.cacheType(), Math.min(capacity, contextLength()));
    }

    /** Tokens a decoder session holds and an input may have. */
    public int contextLength() {
        return options.runContext(spec.contextLength());
    }

    private Context newContext() {
        int capacity = graphSize();
        return Context.create(capacity, capacity);
    }

    private int graphSize() {
        return 160 * (spec.encoderLayers() + spec.decoderLayers()) + 512;
    }

    private void checkWidth(EncoderOutput encoded) {
        if (encoded.dModel() != spec.dModel()) {
            throw new IllegalArgumentException("this encoder output is " + encoded.dModel() + " wide, and "
                    + spec.name() + "'s decoder reads dModel = " + spec.dModel() + "; encode the input with this "
                    + "model (model.encode(tokens))");
        }
    }

    void checkTokens(int[] tokens, String what) {
        ensureOpen();
        TokenChecks.check(tokens, what, spec.vocabSize(), contextLength());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model '" + spec.name() + "' was closed; create a new one");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            try (ConcurrentUseGuard.Use use = guard.enter("model.close()")) {
                closed = true;
                scheduler.close();
                weights.close();
                backend.close();
            }
        }
    }

    @Override
    public String toString() {
        return "EncoderDecoderModel(" + spec.name() + " on " + backend + ")";
    }
}
