package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.Norm;

/**
 * The lowering of softmax attention (and of latent attention, {@link LatentLowering}), in one of two forms that
 * share the projections: {@link CachedAttention}
 * for inference (keys and values written to and read from the KV cache) and {@link TrainableAttention} for
 * training (a batch of sequences, no cache, only ops ggml can differentiate).
 */
sealed interface AttentionLowering permits CachedAttention, TrainableAttention {
    /**
     * Attention {@code a} of layer {@code layer} with mask {@code mask} over the normalised input {@code x}
     * [d, T]; returns [d, T].
     */
    Tensor attend(int layer, Attention a, MaskKind mask, Tensor x);

    /** Latent attention {@code l} (MLA) of layer {@code layer} over {@code x} [d, T]; returns [d, T]. */
    Tensor attendLatent(int layer, LatentAttention l, MaskKind mask, Tensor x);

    /**
     * The heads of {@code perHead} [hd, T, H] side by side, [width = hd * H, T]: the permuted heads copied into rows,
     * or, where their bytes are in that order already (one token), the same bytes reshaped, bit for bit the copy.
     * llama.cpp copies either way; on a GPU the copy is one more kernel a layer of a decode step.
     */
    static Tensor mergeHeads(Context ctx, Tensor perHead, long width, int tokens) {
        Tensor permuted = ctx.permute(perHead, 0, 2, 1, 3);
        return ctx.reshape(permuted.isContiguous() ? permuted : ctx.cont(permuted), width, tokens);
    }

    /**
     * Queries [hd, H, T] and keys [hd, G, T], QK-normalised and rotated where the spec says so, and values
     * [hd * G, T]: everything attention computes before tokens meet each other. Taken from one stacked product, they
     * may be strided views of it (not contiguous when T > 1).
     */
    record Projections(Tensor q, Tensor k, Tensor v) {
        static Projections of(GraphBuilder g, int layer, Attention a, Tensor x) {
            Context ctx = g.ctx;
            int hd = a.headDim(g.spec.dModel());
            String b = "blk." + layer + ".";
            int tokens = g.shape.tokens();
            Tensor stacked = g.adapter == null && !g.shape.trainable() ? g.weights.stackedProjections(layer) : null;
            Tensor q, k, v;
            if (stacked == null) {
                q = g.linear(x, b + "attn_q");                          // [hd * H, T]
                k = g.linear(x, b + "attn_k");                          // [hd * G, T]
                v = g.linear(x, b + "attn_v");
            } else {                                                    // one product, three row ranges of it
                Tensor qkv = ctx.mulMat(stacked, x);                    // [hd * (H + 2G), T]
                Tensor bias = g.weights.stackedBias(layer);
                qkv = bias == null ? qkv : ctx.add(qkv, bias);          // one addition, as llama.cpp's
                long qRows = g.weights.get(b + "attn_q.weight").ne(1), kRows = g.weights.get(b + "attn_k.weight").ne(1);
                q = part(g, qkv, 0, qRows, bias == null ? b + "attn_q" : null);
                k = part(g, qkv, qRows, kRows, bias == null ? b + "attn_k" : null);
                v = part(g, qkv, qRows + kRows, stacked.ne(1) - qRows - kRows, bias == null ? b + "attn_v" : null);
            }
            Norm rms = Norm.rms(g.spec.norm().eps());
            switch (a.qkNorm()) {
                case NONE -> {
                    q = heads(ctx, q, hd, a.heads(), tokens);
                    k = heads(ctx, k, hd, a.kvHeads(), tokens);
                }
                case PER_HEAD -> {                                      // one RMS per row of hd
                    q = g.normWith(rms, heads(ctx, q, hd, a.heads(), tokens), b + "attn_q_norm");
                    k = g.normWith(rms, heads(ctx, k, hd, a.kvHeads(), tokens), b + "attn_k_norm");
                }
                case WHOLE_WIDTH -> {                                   // one RMS per token, as olmoe
                    q = ctx.reshape(g.normWith(rms, q, b + "attn_q_norm"), hd, a.heads(), tokens);
                    k = ctx.reshape(g.normWith(rms, k, b + "attn_k_norm"), hd, a.kvHeads(), tokens);
                }
            }
            Positions positions = g.positionsOf(layer);
            return new Projections(positions.rotate(g, q), positions.rotate(g, k), v);
        }

        /**
         * Rows [from, from + rows) of the stacked product [rows, T]: a view with the product's row stride, or, where
         * {@code base} names a part whose bias was not stacked, the view plus that bias.
         */
        private static Tensor part(GraphBuilder g, Tensor qkv, long from, long rows, String base) {
            Tensor view = g.ctx.view(qkv, new long[] {rows, qkv.ne(1)}, new long[] {qkv.nb(1)}, from * qkv.nb(0));
            Tensor bias = base == null ? null : g.weights.find(base + ".bias");
            return bias == null ? view : g.ctx.add(view, bias);
        }

        /**
         * {@code t} [hd * n, T] as [hd, n, T]: a reshape, or, for a row range of a stacked product (not contiguous), a
         * view with the product's row stride, as llama.cpp's {@code build_qkv} takes q, k and v.
         */
        static Tensor heads(Context ctx, Tensor t, int hd, int n, int tokens) {
            return t.isContiguous() ? ctx.reshape(t, hd, n, tokens)
                    : ctx.view(t, new long[] {hd, n, tokens}, new long[] {t.nb(0) * hd, t.nb(1)}, 0);
        }
    }
}
