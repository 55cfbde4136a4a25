package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.AttentionOps;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;

import java.util.EnumMap;
import java.util.Map;

/**
 * The attention sublayer: projections, QK-norm, RoPE, the KV-cache write and read, masked softmax
 * (or flash attention), the output projection.
 *
 * <p>Dimension legend (ggml order): hd headDim, H heads, G kvHeads, T new tokens, K keys (cached + T).
 * <pre>
 *  q  [hd, H, T]  --permute-->  [hd, T, H]
 *  k  [hd, G, T]  --cache-->    [hd, K, G]      (view of the K cache, permuted)
 *  kq = mul_mat(k, q)           [K, T, H]       head h uses K/V head h / (H / G): grouped-query sharing
 *  v^T view of the V cache      [K, hd, G]
 *  kqv = mul_mat(v^T, softmax)  [hd, T, H]  --permute, merge-->  [hd * H, T]
 * </pre>
 */
final class CachedAttention implements AttentionLowering {
    private final GraphBuilder g;
    private final Context ctx;
    private final AttentionOps ops;
    private final ModelSpec spec;
    private final KvCache cache;
    private final float maxBias;
    private final Map<MaskKind, Tensor> masks = new EnumMap<>(MaskKind.class);
    private final LatentLowering latent;

    CachedAttention(GraphBuilder g, KvCache cache) {
        this.g = g;
        this.ctx = g.ctx;
        this.ops = ctx.attention();
        this.spec = g.spec;
        this.cache = cache;
        this.maxBias = g.positions.maxBias();
        this.latent = new LatentLowering(g, cache);
    }

    @Override
    public Tensor attendLatent(int layer, LatentAttention l, MaskKind mask, Tensor x) {
        return l.flash() ? latent.attend(layer, l, null, flashMask(mask), x)
                : latent.attend(layer, l, mask(mask), null, x);
    }

    @Override
    public Tensor attend(int layer, Attention a, MaskKind mask, Tensor x) {
        int hd = a.headDim(spec.dModel());
        float scale = (float) a.scale(spec.dModel());
        String b = "blk." + layer + ".";
        String i = "." + layer;
        int tokens = g.shape.tokens(), keys = g.inputs.keys(mask);
        Projections p = Projections.of(g, layer, a, x);
        Tensor q = p.q(), k = p.k(), v = p.v();
        cache.store(ctx, g.graph, layer, k, v, g.inputs.cacheRows(mask),
                cache.valuesTransposed() ? g.inputs.transposedCacheCells(mask, (long) hd * a.kvHeads()) : null);

        // Named as [hd, T, heads]: reversed, the paper's [heads, T, hd].
        Tensor qp = g.name(ctx.permute(q, 0, 2, 1, 3), "q" + i);
        g.name(ctx.permute(k, 0, 2, 1, 3), "k" + i);
        g.name(ctx.permute(Projections.heads(ctx, v, hd, a.kvHeads(), tokens), 0, 2, 1, 3), "v" + i);
        Tensor kc = cache.keys(ctx, layer, hd, a.kvHeads(), keys);
        // With soft-capping the scale must come before the cap; it goes on q, before q.k, as in llama.cpp's
        // gemma2 and gemma3 graphs (Gemma 3 without a cap: scaledQueries). With an F16 K cache the product rounds q
        // to F16, so scaling q.k afterwards would round another value: that moved Gemma 2's logits by up to 2% of
        // their range against llama.cpp's.
        boolean capped = a.logitSoftcap() > 0;
        Tensor queries = a.scalesQueries() ? ctx.permute(ctx.scale(q, scale), 0, 2, 1, 3) : qp;
        float scoreScale = a.scalesQueries() ? 1f : scale;
        Tensor merged;
        if (a.flash()) {
            Tensor vc = cache.values(ctx, layer, hd, a.kvHeads(), keys);
            Tensor out = ops.flashAttention(queries, kc, vc, flashMask(mask), scoreScale, maxBias,
                    (float) a.logitSoftcap());
            merged = ctx.reshape(out, (long) hd * a.heads(), tokens);
        } else {
            Tensor kq = g.name(ops.scores(kc, queries), "kq" + i);
            if (capped) {
                kq = g.softcap(kq, a.logitSoftcap());
            }
            kq = g.name(ops.softMax(kq, mask(mask), scoreScale, maxBias), "kq_softmax" + i);
            Tensor vc = cache.values(ctx, layer, hd, a.kvHeads(), keys);
            Tensor kqv = ctx.mulMat(vc, kq);
            merged = AttentionLowering.mergeHeads(ctx, kqv, (long) hd * a.heads(), tokens);
        }
        g.name(merged, "attn_heads" + i);
        return g.name(g.linear(merged, b + "attn_output"), "attn_out" + i);
    }

    /** The softmax mask of kind {@code kind}: [K, T], or [K, T, H] with a per-head bias (T5's). */
    private Tensor mask(MaskKind kind) {
        return masks.computeIfAbsent(kind, k -> g.positions.biasLogits(g, g.inputs.mask(k)));
    }

    /** Flash attention takes an F16 mask. */
    private Tensor flashMask(MaskKind kind) {
        return masks.computeIfAbsent(kind, k -> ctx.cast(g.positions.biasLogits(g, g.inputs.mask(k)), GgmlType.F16));
    }
}
