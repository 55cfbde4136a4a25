package dev.llmgraph.model;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;

import java.util.EnumMap;
import java.util.Map;

/**
 * The graph inputs computed in Java for each batch: token ids, positions, attention masks (one per mask
 * kind the layers use) and, for T5's bias, the bucket of every query-key pair. They are created while
 * the graph is built and filled after the scheduler has given them memory.
 *
 * <p>A mask is [K, T] (ggml order): entry (k, t) is 0 where query t may see key k and -inf where it may
 * not; with ALiBi it holds -|distance| instead of 0, which ggml multiplies by each head's slope.
 */
final class Inputs {
    final Tensor tokens;
    private Tensor positions;
    private final ModelSpec spec;
    private final Context ctx;
    private final GraphBuilder.Batch batch;
    private final KvCache cache;
    private final Map<MaskKind, Tensor> masks = new EnumMap<>(MaskKind.class);
    private Tensor buckets;

    Inputs(ModelSpec spec, Context ctx, GraphBuilder.Batch batch, KvCache cache) {
        this.spec = spec;
        this.ctx = ctx;
        this.batch = batch;
        this.cache = cache;
        this.tokens = ctx.newTensor("inp_tokens", GgmlType.I32, batch.size()).markInput();
    }

    /** The I32 positions [T] (RoPE, learned and sinusoidal tables), created on first use. */
    Tensor positions() {
        if (positions == null) {
            positions = ctx.newTensor("inp_pos", GgmlType.I32, batch.size()).markInput();
        }
        return positions;
    }

    /** The F32 mask [K, T] of {@code kind}, created on first use. */
    Tensor mask(MaskKind kind) {
        return masks.computeIfAbsent(kind, k -> ctx.newTensor("inp_mask_" + k.name().toLowerCase(),
                GgmlType.F32, batch.keys(), batch.size()).markInput());
    }

    /** The I32 T5 bucket ids [K * T], created on first use. */
    Tensor buckets() {
        if (buckets == null) {
            buckets = ctx.newTensor("inp_t5_buckets", GgmlType.I32, (long) batch.keys() * batch.size()).markInput();
        }
        return buckets;
    }

    /** Writes the values; call after the graph is allocated. */
    void fill() {
        tokens.setInts(batch.tokens());
        if (positions != null) {
            int[] pos = new int[batch.size()];
            for (int t = 0; t < pos.length; t++) {
                pos[t] = batch.start() + t;
            }
            positions.setInts(pos);
        }
        for (var e : masks.entrySet()) {
            e.getValue().setFloats(maskValues(e.getKey()));
        }
        if (buckets != null) {
            buckets.setInts(bucketIds());
        }
    }

    private float[] maskValues(MaskKind kind) {
        int keys = batch.keys(), queries = batch.size();
        boolean alibi = spec.positional() instanceof Positional.Alibi;
        int window = spec.attention().window() == null ? 0 : spec.attention().window().size();
        float[] m = new float[keys * queries];
        for (int t = 0; t < queries; t++) {
            int q = batch.start() + t;
            for (int k = 0; k < keys; k++) {
                m[t * keys + k] = kind.visible(q, k, batch.prefix(), window)
                        ? (alibi ? -Math.abs(q - k) : 0f) : Float.NEGATIVE_INFINITY;
            }
        }
        return m;
    }

    private int[] bucketIds() {
        Positional.T5Bias t5 = (Positional.T5Bias) spec.positional();
        boolean bidirectional = spec.mask() != MaskKind.CAUSAL;
        int keys = batch.keys(), queries = batch.size();
        int[] ids = new int[keys * queries];
        for (int t = 0; t < queries; t++) {
            int q = batch.start() + t;
            for (int k = 0; k < keys; k++) {
                ids[t * keys + k] = t5.bucket(k - q, bidirectional);
            }
        }
        return ids;
    }

    KvCache cache() {
        return cache;
    }
}
