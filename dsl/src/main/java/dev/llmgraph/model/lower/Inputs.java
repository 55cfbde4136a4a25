package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;

import java.util.EnumMap;
import java.util.Map;

/**
 * The graph inputs computed in Java for each batch: token ids, positions, the cache rows the batch
 * writes, attention masks (one per mask kind the layers use) and, for T5's bias, the bucket of every
 * query-key pair. They are created (on first use) while the graph is built and filled before each
 * computation, so one graph serves every batch of its shape.
 *
 * <p>A mask is [K, T] (ggml order): entry (k, t) is 0 where query t may see the position cache row k holds and
 * -inf where it may not (including the cache rows past the last token, which the graph reads as padding); with
 * ALiBi it holds -|distance| instead of 0, which ggml multiplies by each head's slope. Row k holds position k,
 * except in the ring of a sliding layer ({@link KvCache#keyPositions}), whose rows and mask are the layer's own.
 */
final class Inputs {
    final Tensor tokens;
    private final ModelSpec spec;
    private final Positions positional;
    private final Context ctx;
    private final GraphBuilder.Shape shape;
    private final KvCache cache;
    private final Map<MaskKind, Tensor> masks = new EnumMap<>(MaskKind.class);
    private Tensor positions;
    private Tensor tokenTypes;
    /**
     * The rows and transposed cells a batch writes, by the rows of the layers that take them: the cache's size, and
     * a sliding layer's ring where it keeps one.
     */
    private final Map<Integer, Tensor> cacheRows = new java.util.HashMap<>();
    private final Map<Integer, Tensor> transposedCacheCells = new java.util.HashMap<>();
    private Tensor buckets;
    private Tensor stateSlots;
    private final Map<MaskKind, Tensor> headMasks = new EnumMap<>(MaskKind.class);
    /** Linear attention's constant decays per layer [S, H, T], and each head's rate. */
    private final Map<Integer, Tensor> linearDecays = new java.util.HashMap<>();
    private final Map<Integer, float[]> linearRates = new java.util.HashMap<>();

    Inputs(ModelSpec spec, Positions positional, Context ctx, GraphBuilder.Shape shape, KvCache cache) {
        this.spec = spec;
        this.positional = positional;
        this.ctx = ctx;
        this.shape = shape;
        this.cache = cache;
        this.tokens = input("inp_tokens", shape.tokens());
    }

    private Tensor input(String name, long n) {
        return ctx.newTensor(name, GgmlType.I32, n).markInput();
    }

    /**
     * Cache indices are I64, as in llama.cpp: ggml-cuda fuses a RoPE, a view and a set_rows into one kernel
     * only with I64 indices.
     */
    private Tensor cacheIndex(String name, long n) {
        return ctx.newTensor(name, GgmlType.I64, n).markInput();
    }

    /** Positions [T] (RoPE and the position tables). */
    Tensor positions() {
        if (positions == null) {
            positions = input("inp_pos", shape.tokens());
        }
        return positions;
    }

    /** The token type (segment) of each token [T] (an encoder's). */
    Tensor tokenTypes() {
        if (tokenTypes == null) {
            tokenTypes = input("inp_token_types", shape.tokens());
        }
        return tokenTypes;
    }

    /**
     * The cache row of each new token [T] in the layers of mask {@code kind}, where set_rows writes its key (and
     * value, if not transposed).
     */
    Tensor cacheRows(MaskKind kind) {
        return cacheRows.computeIfAbsent(cache.rowsFor(kind), rows -> cacheIndex(cache.rings(kind)
                ? "inp_cache_rows_swa" : "inp_cache_rows", shape.tokens()));
    }

    /** The cells of a transposed V cache of mask {@code kind} that set_rows writes this batch's values to [width * T]. */
    Tensor transposedCacheCells(MaskKind kind, long width) {
        return transposedCacheCells.computeIfAbsent(cache.rowsFor(kind), rows -> cacheIndex(cache.rings(kind)
                ? "inp_cache_cells_swa" : "inp_cache_cells", width * shape.tokens()));
    }

    /** Keys the layers of mask {@code kind} read: the graph's, or fewer in a sliding layer's ring. */
    int keys(MaskKind kind) {
        return cache == null ? shape.keys() : cache.keysRead(kind, shape.keys());
    }

    /** The F32 mask [K, T] of {@code kind}. */
    Tensor mask(MaskKind kind) {
        return masks.computeIfAbsent(kind, k -> ctx.newTensor("inp_mask_" + k.name().toLowerCase(), GgmlType.F32,
                keys(k), shape.queries()).markInput());
    }

    /**
     * The mask of a training batch: [T, T] (keys by queries of one sequence, shared by every sequence and
     * head), or with ALiBi [T, T, H] with each head's slope already multiplied in, since soft_max's gradient
     * does not cover its max_bias.
     */
    Tensor trainingMask(MaskKind kind, int heads) {
        if (positional.maxBias() == 0f) {
            return mask(kind);
        }
        return headMasks.computeIfAbsent(kind, k -> ctx.newTensor("inp_mask_heads_" + k.name().toLowerCase(),
                GgmlType.F32, shape.keys(), shape.queries(), heads).markInput());
    }

    /** The recurrent state slot of each sequence [1]: the one slot a session's state has, 0. */
    Tensor stateSlots() {
        if (stateSlots == null) {
            stateSlots = input("inp_state_slots", 1);
        }
        return stateSlots;
    }

    /**
     * Layer {@code layer}'s constant decay [headDim, H, T] for linear attention: each head's rate in
     * {@code perHead}, for each of its headDim key channels and every token (ggml's gated_linear_attn takes a gate
     * per channel and token; a fixed decay is such a gate that never changes).
     */
    Tensor linearDecay(int layer, float[] perHead, long headDim) {
        linearRates.put(layer, perHead.clone());
        return linearDecays.computeIfAbsent(layer, l -> ctx.newTensor("inp_linear_decay." + l, GgmlType.F32, headDim,
                perHead.length, shape.tokens()).markInput());
    }

    private void fillLinearDecays() {
        for (var e : linearDecays.entrySet()) {
            Tensor t = e.getValue();
            float[] rates = linearRates.get(e.getKey());
            int headDim = (int) t.ne(0), heads = (int) t.ne(1), tokens = (int) t.ne(2);
            float[] values = new float[headDim * heads * tokens];
            for (int i = 0; i < values.length; i++) {
                values[i] = rates[(i / headDim) % heads];
            }
            t.setFloats(values);
        }
    }

    /** The T5 bucket ids [K * T]. */
    Tensor buckets() {
        if (buckets == null) {
            buckets = input("inp_t5_buckets", (long) shape.keys() * shape.queries());
        }
        return buckets;
    }

    /** Writes the values of a batch of {@code ids} at positions {@code start ..}; call after allocation. */
    void fill(int[] ids, int start, int prefix) {
        fill(ids, null, start, prefix);
    }

    /** As {@link #fill(int[], int, int)}, with each token's type (null: all type 0). */
    void fill(int[] ids, int[] types, int start, int prefix) {
        fill(ids, types, start, prefix, null);
    }

    /**
     * As {@link #fill(int[], int[], int, int)}; an encoder's bidirectional mask is filled with {@code callMask}'s
     * rule instead when it is not null (UniLM: one graph, the mask chosen per call; the graph's ops do not change).
     */
    void fill(int[] ids, int[] types, int start, int prefix, AttentionMask callMask) {
        tokens.setInts(ids);
        if (tokenTypes != null) {
            tokenTypes.setInts(types == null ? new int[ids.length] : types);
        }
        int[] pos = new int[ids.length];
        for (int t = 0; t < pos.length; t++) {
            pos[t] = start + t;
        }
        if (positions != null) {
            positions.setInts(pos);
        }
        for (var e : cacheRows.entrySet()) {
            e.getValue().setLongs(KvCache.rows(start, ids.length, e.getKey()));
        }
        for (var e : transposedCacheCells.entrySet()) {
            int width = (int) (e.getValue().ne(0) / ids.length);
            e.getValue().setLongs(KvCache.transposedCells(width, start, ids.length, e.getKey()));
        }
        for (var e : masks.entrySet()) {
            boolean chosen = callMask != null && e.getKey() == MaskKind.BIDIRECTIONAL;
            e.getValue().setFloats(chosen ? maskValues(callMask.kind(), start, callMask.prefixLength())
                    : maskValues(e.getKey(), start, prefix));
        }
        if (stateSlots != null) {
            stateSlots.setInts(0);
        }
        if (buckets != null) {
            buckets.setInts(positional.bucketIds(start, shape.keys(), shape.queries()));
        }
        fillLinearDecays();
    }

    /**
     * Writes the values of a training batch: {@code ids} holds the batch's sequences one after another, each
     * starting at position 0; the first {@code prefix} tokens of each see each other (prefix decoder).
     */
    void fillTraining(int[] ids, int prefix) {
        tokens.setInts(ids);
        if (positions != null) {
            int[] pos = new int[ids.length];
            for (int t = 0; t < pos.length; t++) {
                pos[t] = t % shape.queries();
            }
            positions.setInts(pos);
        }
        for (var e : masks.entrySet()) {
            e.getValue().setFloats(maskValues(e.getKey(), 0, prefix));
        }
        for (var e : headMasks.entrySet()) {
            float[] visible = maskValues(e.getKey(), 0, prefix);
            int heads = (int) e.getValue().ne(2);
            float[] m = new float[visible.length * heads];
            for (int h = 0; h < heads; h++) {
                float slope = Positions.LinearBias.slope(positional.maxBias(), h, heads);
                for (int i = 0; i < visible.length; i++) {
                    m[h * visible.length + i] = visible[i] * slope;
                }
            }
            e.getValue().setFloats(m);
        }
        if (stateSlots != null) {
            stateSlots.setInts(0);
        }
        fillLinearDecays();
        if (buckets != null) {
            buckets.setInts(positional.bucketIds(0, shape.keys(), shape.queries()));
        }
    }

    private float[] maskValues(MaskKind kind, int start, int prefix) {
        int keys = keys(kind), queries = shape.queries();
        if (kind == MaskKind.CAUSAL && positional.maxBias() == 0f && (cache == null || !cache.rings(kind))) {
            return causalMask(keys, queries, start);
        }
        int window = spec.attention().window() == null ? 0 : spec.attention().window().size();
        int end = start + queries;
        int[] held = cache == null ? positionsInOrder(keys, end) : cache.keyPositions(keys, end, kind);
        float[] m = new float[keys * queries];
        for (int t = 0; t < queries; t++) {
            int q = start + t;
            for (int k = 0; k < keys; k++) {
                int p = held[k];
                m[t * keys + k] = p >= 0 && kind.visible(q, p, prefix, window)
                        ? positional.visibleMask(q, p) : Float.NEGATIVE_INFINITY;
            }
        }
        return m;
    }

    /**
     * The causal mask where row k holds position k and a visible entry is 0 (no ALiBi): query q sees rows 0 .. q. One
     * fill a query instead of a test a key (a decode step at 8000 positions wrote its inputs in 49-80 us instead of
     * 69-106 us, measured on a busy 2-core machine).
     */
    private static float[] causalMask(int keys, int queries, int start) {
        float[] m = new float[keys * queries];
        for (int t = 0; t < queries; t++) {
            int seen = Math.min(keys, start + t + 1);
            java.util.Arrays.fill(m, t * keys + seen, (t + 1) * keys, Float.NEGATIVE_INFINITY);
        }
        return m;
    }

    /** Without a cache (a training batch): rows 0 .. {@code keys} - 1 hold their own positions, from {@code end} on none. */
    private static int[] positionsInOrder(int keys, int end) {
        int[] held = new int[keys];
        for (int row = 0; row < keys; row++) {
            held[row] = row < end ? row : -1;
        }
        return held;
    }
}
