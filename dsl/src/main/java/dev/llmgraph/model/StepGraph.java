package dev.llmgraph.model;

import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.model.lower.GraphBuilder;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;

import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.ShapeTrace;
import dev.llmgraph.spec.plan.Steps;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built graph for one {@link GraphBuilder.Shape}: made once, then reused for every batch of that shape
 * (every decode step until the padded key count grows), with only its inputs refilled. Rebuilding the
 * graph each step would cost thousands of native calls per token; llama.cpp reuses its graphs the same way.
 */
final class StepGraph implements AutoCloseable {
    /** What a run produced. */
    record Result(Logits logits, Map<String, NodeValue> nodes) {}

    /** Keys are read in multiples of this many cache rows, so that a graph serves many decode steps. */
    static final int KEY_PADDING = 256;

    final GraphBuilder.Shape shape;
    private final Model model;
    private final KvCache cache;
    /** The adapter the graph applies (null for none): a graph built before an attach or detach no longer fits. */
    private final LoraAdapter adapter;
    private final Context ctx;
    private final Graph graph;
    private final GraphBuilder builder;
    private final Tensor logits;
    /**
     * Values per row of the output: the vocabulary for logits, the width of an encoder's hidden states without a
     * masked-LM head. Read from the spec's plan once here (a plan is made anew on each call of {@code plan()}, which
     * cost a GPT-2-small decode step ~170 us when done per step).
     */
    private final int rowWidth;
    private final Map<String, Tensor> readBack = new LinkedHashMap<>();
    private boolean allocated;
    private long inputNanos;
    private long computeNanos;

    private StepGraph(Model model, KvCache cache, GraphBuilder.Shape shape, Collection<String> inspect) {
        this.model = model;
        this.cache = cache;
        this.shape = shape;
        this.adapter = model.attachedAdapter();
        long[] last = Steps.nodes(model.spec().plan().output()).getLast().shape();
        this.rowWidth = Math.toIntExact(last[last.length - 1]);
        int capacity = graphSize(model);
        this.ctx = Context.create(capacity, capacity);
        try {
            this.graph = ctx.newGraph(capacity);
            this.builder = new GraphBuilder(model.spec(), model.weights(), adapter, cache, ctx, graph, shape);
            this.logits = builder.build(cache);
            graph.expand(logits);
            for (String name : inspect) {
                Tensor node = builder.named.get(name);
                if (node == null) {
                    throw new IllegalArgumentException("this graph has no node named '" + name + "'; the names are "
                            + "those of the spec's shape trace, e.g. " + builder.named.keySet().stream().sorted()
                            .limit(6).toList());
                }
                Tensor readable = node.isContiguous() ? node : ctx.cont(node);
                readable.markOutput();
                graph.expand(readable);
                readBack.put(name, readable);
            }
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** A graph for {@code tokens} new tokens after {@code start} cached ones, in a cache of {@code cache.size}. */
    static StepGraph build(Model model, KvCache cache, int tokens, int start, boolean allLogits,
                           Collection<String> inspect) {
        int keys = Math.min(cache.size, roundUp(start + tokens, KEY_PADDING));
        return new StepGraph(model, cache, new GraphBuilder.Shape(tokens, keys, allLogits), inspect);
    }

    /**
     * Whether this graph serves a batch of {@code tokens} tokens at {@code start} in a cache of {@code size}:
     * the shape matches, the adapter it applies is still the model's, and no other graph has taken the compute
     * memory since this one was allocated.
     */
    boolean fits(int tokens, int start, boolean allLogits, int cacheSize) {
        return (!allocated || model.compute().holds(this)) && model.attachedAdapter() == adapter && shape.tokens() == tokens
                && shape.allLogits() == allLogits
                && shape.keys() == Math.min(cacheSize, roundUp(start + tokens, KEY_PADDING));
    }

    /**
     * Time of the last {@link #run}'s graph computation and the copy of its logits to the host (on a GPU:
     * kernel launches and waiting).
     */
    long lastComputeNanos() {
        return computeNanos;
    }

    /** Time the last {@link #run} took to compute its inputs in Java and write them into the graph. */
    long lastInputNanos() {
        return inputNanos;
    }

    /** Computes the batch {@code ids} at positions {@code start ..}. */
    Result run(int[] ids, int start, int prefix) {
        return run(ids, null, start, prefix);
    }

    /** Computes the batch {@code ids} of token types {@code types} (null: all 0) at positions {@code start ..}. */
    Result run(int[] ids, int[] types, int start, int prefix) {
        return run(ids, types, start, prefix, null);
    }

    /**
     * As {@link #run(int[], int[], int, int)}; an encoder's tokens attend as {@code mask} says (null: the layers'
     * own masks).
     */
    Result run(int[] ids, int[] types, int start, int prefix, AttentionMask mask) {
        if (!allocated) {
            if (!readBack.isEmpty()) {
                // ggml reuses its last allocation plan for any graph with as many nodes of the same sizes, without
                // looking at which nodes are outputs: an inspected node, kept only by its output flag, would share
                // memory with later nodes (seen as the router's ids of layer 1 overwritten). Plan this graph anew.
                model.compute().scheduler().reserve(graph);
            }
            model.compute().allocate(graph, this);
            allocated = true;
        } else if (!model.compute().holds(this)) {
            throw new IllegalStateException("this graph lost its compute memory to another graph; build a new one");
        }
        long t0 = System.nanoTime();
        if (start == 0) {
            cache.restart(); // a recurrent state must not carry over from an earlier sequence
        }
        if (mask == null) {
            builder.fillInputs(ids, types, start, prefix);
        } else {
            builder.fillInputs(ids, types, start, mask);
        }
        long t1 = System.nanoTime();
        float[] values = model.compute().scheduler().computeAndRead(graph, logits);
        computeNanos = System.nanoTime() - t1;
        inputNanos = t1 - t0;
        Logits out = new Logits(values, values.length / rowWidth, rowWidth);
        if (readBack.isEmpty()) {
            return new Result(out, Map.of());
        }
        Map<String, long[]> traced = new HashMap<>();
        for (ShapeTrace.Entry e : model.spec().accounting().shapeTrace(shape.tokens(), start)) {
            traced.put(e.name(), e.shape());
        }
        Map<String, NodeValue> nodes = new LinkedHashMap<>();
        readBack.forEach((name, t) -> nodes.put(name, new NodeValue(name, shapeOf(traced.get(name), t), valuesOf(t))));
        return new Result(out, nodes);
    }

    /**
     * A node's elements as floats. Integer nodes (the router's chosen expert ids, {@code ffn_moe_topk}) are read
     * as integers and widened: ids below 2^24 are exact as floats ({@link NodeValue#ints()} gives them back).
     */
    private static float[] valuesOf(Tensor t) {
        if (t.type() != GgmlType.I32) {
            return t.toFloats();
        }
        int[] ints = t.toInts();
        float[] values = new float[ints.length];
        for (int i = 0; i < ints.length; i++) {
            values[i] = ints[i];
        }
        return values;
    }

    /** Runs a one-off graph (inspection, a single batch) and frees it. */
    static Result once(Model model, KvCache cache, int[] ids, int start, int prefix, boolean allLogits,
                       List<String> inspect) {
        return once(model, cache, ids, null, start, prefix, allLogits, inspect);
    }

    /** As {@link #once(Model, KvCache, int[], int, int, boolean, List)}, with each token's type (null: all 0). */
    static Result once(Model model, KvCache cache, int[] ids, int[] types, int start, int prefix, boolean allLogits,
                       List<String> inspect) {
        try (StepGraph step = build(model, cache, ids.length, start, allLogits, inspect)) {
            return step.run(ids, types, start, prefix);
        }
    }

    /** An encoder's one-off graph over {@code ids} from position 0, its tokens attending as {@code mask} says. */
    static Result once(Model model, KvCache cache, int[] ids, int[] types, AttentionMask mask, List<String> inspect) {
        try (StepGraph step = build(model, cache, ids.length, 0, true, inspect)) {
            return step.run(ids, types, 0, 0, mask);
        }
    }

    /**
     * Nodes and tensors a graph of this model may need: generous, since an overflow is only an exception. The
     * model's scheduler is made for this size before any adapter is attached, so it has room for the largest:
     * per adapted projection two factors and four ops (A x, B (A x), the scale, the add).
     */
    static int graphSize(Model model) {
        return (128 + 6 * LoraTargets.PROJECTIONS.size()) * model.spec().layers() + 256;
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /**
     * The traced shape when it describes the tensor: ggml's shape drops trailing sizes of one (an MQA
     * model's single K/V head, a single token), which the trace, and so the reader's indices, keep.
     */
    private static long[] shapeOf(long[] traced, Tensor t) {
        return traced != null && Arrays.stream(traced).reduce(1, (a, b) -> a * b) == t.elementCount()
                ? traced : paperShape(t);
    }

    /** ggml's ne reversed: the paper's order, e.g. [heads, tokens, encoder positions]. */
    static long[] paperShape(Tensor t) {
        long[] ne = t.shape();
        long[] out = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            out[i] = ne[ne.length - 1 - i];
        }
        return out;
    }

    @Override
    public void close() {
        model.compute().release(this);
        ctx.close();
    }
}
