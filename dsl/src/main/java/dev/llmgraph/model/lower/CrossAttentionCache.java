package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys and values cross-attention reads: computed once per encoder output, then read by every decoder step.
 * Dimension legend (ggml order): hd headDim, H heads, S encoder positions, d dModel.
 * <pre>
 *  h        [d, S]        the encoder's output (after its final norm)
 *  K_i      [hd, S, H]    W_k,i h, one slab per head: q k^T is mul_mat(K_i, q) [S, T, H]
 *  V_i^T    [S, hd, H]    W_v,i h, stored transposed: weights x values is mul_mat(V_i^T, softmax) [hd, T, H]
 * </pre>
 * It remembers which encoder output it was computed from ({@link #source()}), so that a decoder cannot be handed the
 * keys of another input. Close it to free its memory.
 */
public final class CrossAttentionCache implements AutoCloseable {
    private final Context ctx;
    private final List<Tensor> keys = new ArrayList<>();
    private final List<Tensor> values = new ArrayList<>();
    private final int encoderTokens;
    private final Object source;
    private boolean closed;

    private CrossAttentionCache(Context ctx, int encoderTokens, Object source) {
        this.ctx = ctx;
        this.encoderTokens = encoderTokens;
        this.source = source;
    }

    /** Room for {@code layers} layers' keys and values over {@code encoderTokens} positions, on {@code backend}. */
    public static CrossAttentionCache allocate(Backend backend, int layers, int headDim, int heads, int encoderTokens,
                                               Object source) {
        Context ctx = Context.create(2 * layers);
        CrossAttentionCache cache = new CrossAttentionCache(ctx, encoderTokens, source);
        try {
            for (int i = 0; i < layers; i++) {
                cache.keys.add(ctx.newTensor("cross_k." + i, GgmlType.F32, headDim, encoderTokens, heads));
                cache.values.add(ctx.newTensor("cross_v." + i, GgmlType.F32, encoderTokens, headDim, heads));
            }
            ctx.allocate(backend);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
        return cache;
    }

    /**
     * Adds to {@code graph} the ops that fill this cache from the encoder output {@code h} [d, S], with the
     * decoder's cross-attention projections {@code dec.blk.i.cross_attn_k} and {@code _v} in {@code weights}.
     */
    public void write(Context graphCtx, Graph graph, Weights weights, Tensor h) {
        ensureOpen();
        for (int i = 0; i < keys.size(); i++) {
            Tensor k = keys.get(i);
            long hd = k.ne(0), heads = k.ne(2);
            String b = "dec.blk." + i + ".cross_attn_";
            Tensor kh = graphCtx.reshape(graphCtx.mulMat(weights.get(b + "k.weight"), h), hd, heads, encoderTokens);
            Tensor vh = graphCtx.reshape(graphCtx.mulMat(weights.get(b + "v.weight"), h), hd, heads, encoderTokens);
            graph.expand(graphCtx.cpy(graphCtx.permute(kh, 0, 2, 1, 3), k));          // [hd, S, H]
            graph.expand(graphCtx.cpy(graphCtx.permute(vh, 1, 2, 0, 3), values.get(i))); // [S, hd, H]
        }
    }

    Tensor keys(int layer) {
        ensureOpen();
        return keys.get(layer);
    }

    Tensor valuesTransposed(int layer) {
        ensureOpen();
        return values.get(layer);
    }

    /** Encoder positions S the cache holds. */
    public int encoderTokens() {
        return encoderTokens;
    }

    /** The encoder output this cache was computed from. */
    public Object source() {
        return source;
    }

    /** Bytes of keys and values: 2 x layers x S x heads x headDim floats. */
    public long byteSize() {
        return keys.stream().mapToLong(Tensor::byteSize).sum() + values.stream().mapToLong(Tensor::byteSize).sum();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this cross-attention cache was closed; compute a new one from the "
                    + "encoder output");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ctx.close();
        }
    }
}
