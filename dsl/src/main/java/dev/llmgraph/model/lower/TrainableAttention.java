package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.AttentionOps;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.TrainingOps;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.MaskKind;

/**
 * Attention for training: a batch of B sequences of T tokens, each attending only within itself, with no
 * KV cache and only ops ggml can differentiate. Where {@link CachedAttention} relies on ops that have no
 * gradient, this one spells the same function out:
 * <ul>
 *   <li>grouped-query sharing is an explicit repeat of each K/V head (ggml's matrix-product gradient cannot
 *       sum a broadcast operand back across a batch dimension);</li>
 *   <li>ALiBi's slopes are baked into a per-head mask, and T5's learned bias is added to the logits rather
 *       than passed to soft_max as a mask (soft_max's gradient covers neither);</li>
 *   <li>no flash attention (it has no gradient): the same softmax attention, unfused.</li>
 * </ul>
 * <p>Dimension legend (ggml order): hd headDim, H heads, G kvHeads, r = H / G, T tokens per sequence,
 * B sequences, N = T * B.
 * <pre>
 *  q  [hd, H, N] -> [hd, H, T, B] --permute--> [hd, T, H, B]
 *  k  [hd, G, N] -> [hd, T, G, B] --repeat r--> [hd, T, H, B]      head h reads K/V head h / r
 *  v  [hd*G, N]  -> v^T [T, hd, G, B] --repeat r--> [T, hd, H, B]
 *  kq = mul_mat(k, q)            [T, T, H, B]   scaled, (soft-capped,) masked, softmax over keys
 *  kqv = mul_mat(v^T, softmax)   [hd, T, H, B] --permute, merge--> [hd * H, N]
 * </pre>
 */
final class TrainableAttention implements AttentionLowering {
    private final GraphBuilder g;
    private final Context ctx;
    private final AttentionOps ops;
    private final TrainingOps training;

    TrainableAttention(GraphBuilder g) {
        this.g = g;
        this.ctx = g.ctx;
        this.ops = ctx.attention();
        this.training = TrainingOps.of(ctx);
    }

    @Override
    public Tensor attend(int layer, Attention a, MaskKind mask, Tensor x) {
        int hd = a.headDim(g.spec.dModel());
        int heads = a.heads(), kvHeads = a.kvHeads();
        int length = g.shape.queries(), sequences = g.shape.sequences();
        Projections p = Projections.of(g, layer, a, x);
        Tensor q = ctx.permute(ctx.reshape(p.q(), hd, heads, length, sequences), 0, 2, 1, 3);
        Tensor k = ctx.cont(ctx.permute(ctx.reshape(p.k(), hd, kvHeads, length, sequences), 0, 2, 1, 3));
        Tensor vT = ctx.cont(ctx.permute(ctx.reshape(p.v(), hd, kvHeads, length, sequences), 1, 2, 0, 3));
        k = shareHeads(k, heads, kvHeads);
        vT = shareHeads(vT, heads, kvHeads);

        Tensor kq = ops.scores(k, q);
        float scale = (float) a.scale(g.spec.dModel());
        if (a.logitSoftcap() > 0) {
            kq = g.softcap(ctx.scale(kq, scale), a.logitSoftcap());
            scale = 1f;
        }
        Tensor weights;
        Tensor visible = g.inputs.trainingMask(mask, heads);
        if (g.positions.learnsLogitBias()) {
            Tensor biased = ctx.add(scale == 1f ? kq : ctx.scale(kq, scale), g.positions.biasLogits(g, visible));
            weights = ops.softMax(biased, null, 1f, 0f);
        } else {
            weights = ops.softMax(kq, visible, scale, 0f);
        }
        g.name(weights, "kq_softmax." + layer);
        Tensor kqv = ctx.mulMat(vT, weights);
        Tensor merged = ctx.reshape(ctx.cont(ctx.permute(kqv, 0, 2, 1, 3)), (long) hd * heads, g.shape.tokens());
        return g.name(g.linear(merged, "blk." + layer + ".attn_output"), "attn_out." + layer);
    }

    /**
     * {@code t} [a, b, G, B] with each of its G heads repeated r = H / G times in a row: [a, b, H, B], head h
     * being head h / r of {@code t}.
     */
    private Tensor shareHeads(Tensor t, int heads, int kvHeads) {
        if (heads == kvHeads) {
            return t;
        }
        long rows = t.ne(0) * t.ne(1);
        Tensor single = ctx.reshape(t, rows, 1, kvHeads, t.ne(3));
        Tensor repeated = training.repeat(single, rows, heads / kvHeads, kvHeads, t.ne(3));
        return ctx.reshape(repeated, t.ne(0), t.ne(1), heads, t.ne(3));
    }

    /** Never reached: {@link TrainingSupport} refuses latent attention, in words, before a graph is built. */
    @Override
    public Tensor attendLatent(int layer, dev.llmgraph.spec.LatentAttention l, MaskKind mask, Tensor x) {
        throw new UnsupportedOperationException(TrainingSupport.LATENT);
    }
}
