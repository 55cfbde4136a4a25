package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.AttentionOps;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Norm;

/**
 * Multi-head latent attention (MLA) with a KV cache of latents, in the absorbed form of llama.cpp's
 * {@code deepseek2} graph: W_UK moves into the query, so every head attends, multi-query style, over the cached
 * rows [c_KV | k_R]; W_UV decompresses each head's weighted latent afterwards. Keys and values per head are
 * never built, so a long context costs kvRank + ropeHeadDim cached values per token and layer.
 *
 * <p>Dimension legend (ggml order): H heads, n nopeHeadDim, r ropeHeadDim, c kvRank, v valueHeadDim,
 * D = c + r the cached row, T new tokens, K keys (cached + T).
 * <pre>
 *  q    [n + r, H, T]  = W_q x   (or W_UQ RMSNorm(W_DQ x))    split: q_nope [n, H, T] | q_pe [r, H, T], rotated
 *  kv   [c + r, T]     = W_DKV|KR x                           split: c_KV [c, T] (RMSNorm) | k_pe [r, T], rotated
 *  q_absorbed = W_UK^T q_nope per head   [c, H, T]   ->  Q = [q_absorbed | q_pe]  [D, H, T]
 *  cache row  [c_KV | k_pe]  [D]         kq = K^T Q   [K, T, H]   (one key row for every head: MQA)
 *  latent = V^T softmax(kq)              [c, T, H]    (V: the first c values of each cached row)
 *  heads  = W_UV latent per head         [v, T, H]  --permute, merge-->  [v * H, T]  --W_o-->  [d, T]
 * </pre>
 */
final class LatentLowering {
    private final GraphBuilder g;
    private final Context ctx;
    private final AttentionOps ops;
    private final KvCache cache;
    private final float eps;

    LatentLowering(GraphBuilder g, KvCache cache) {
        this.g = g;
        this.ctx = g.ctx;
        this.ops = ctx.attention();
        this.cache = cache;
        this.eps = (float) g.spec.norm().eps();
    }

    /** Latent attention {@code l} of layer {@code layer} over the normalised input {@code x} [d, T]; [d, T]. */
    Tensor attend(int layer, LatentAttention l, Tensor mask, Tensor flashMask, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        int heads = l.heads(), nope = l.nopeHeadDim(), rope = l.ropeHeadDim(), rank = l.kvRank();
        int tokens = g.shape.tokens(), keys = g.shape.keys();

        Tensor q = ctx.reshape(queries(b, l, x), l.queryKeyHeadDim(), heads, tokens); // [n + r, H, T]
        Tensor kv = ctx.mulMat(g.matrix(b + "attn_kv_a_mqa.weight"), x); // [c + r, T]
        long f32 = kv.nb(0);
        Tensor latent = ctx.view(kv, new long[] {rank, tokens}, new long[] {kv.nb(1)}, 0);
        Tensor keyRope = ctx.view(kv, new long[] {rope, 1, tokens}, new long[] {kv.nb(1), kv.nb(1)}, f32 * rank);
        keyRope = g.name(g.positions.rotate(g, keyRope), "k_rope" + i);
        latent = g.name(rms(latent, b + "attn_kv_a_norm"), "kv_latent" + i);

        Tensor queryNope = ctx.view(q, new long[] {nope, heads, tokens}, new long[] {q.nb(1), q.nb(2)}, 0);
        Tensor queryRope = ctx.view(q, new long[] {rope, heads, tokens}, new long[] {q.nb(1), q.nb(2)}, f32 * nope);
        queryRope = g.positions.rotate(g, queryRope);
        // W_UK [n, c, H] x q_nope [n, T, H] -> [c, T, H]: each head's query moved into the latent space.
        Tensor absorbed = ctx.mulMat(g.matrix(b + "attn_k_b.weight"), ctx.permute(queryNope, 0, 2, 1, 3));
        Tensor queryRow = ctx.concat(ctx.permute(absorbed, 0, 2, 1, 3), queryRope, 0); // [D, H, T]
        Tensor latentRow = ctx.reshape(latent, rank, 1, tokens);
        Tensor keyRow = ctx.concat(latentRow, keyRope, 0); // [D, 1, T]
        // Named as [D, T, 1] and [c, T, 1]: the one key and the one value every head reads (MQA).
        g.name(ctx.permute(keyRow, 0, 2, 1, 3), "k" + i);
        g.name(ctx.permute(latentRow, 0, 2, 1, 3), "v" + i);
        cache.storeLatent(ctx, g.graph, layer, ctx.reshape(keyRow, l.cacheRow(), tokens),
                g.inputs.cacheRows(g.spec.mask()));

        Tensor queriesByHead = g.name(ctx.permute(queryRow, 0, 2, 1, 3), "q" + i); // [D, T, H]
        float scale = (float) l.scale(g.spec.positional());
        Tensor weighted; // [c, T, H]
        if (l.flash()) {
            Tensor out = ops.flashAttention(queriesByHead, threeD(cache.latentKeys(ctx, layer, keys)),
                    threeD(cache.latentValues(ctx, layer, rank, keys)), flashMask, scale, 0f, 0f); // [c, H, T]
            weighted = ctx.permute(out, 0, 2, 1, 3);
        } else {
            Tensor kq = g.name(ops.scores(cache.latentKeys(ctx, layer, keys), queriesByHead), "kq" + i); // [K, T, H]
            kq = g.name(ops.softMax(kq, mask, scale, 0f), "kq_softmax" + i);
            Tensor values = ctx.cont(ctx.transpose(cache.latentValues(ctx, layer, rank, keys))); // [K, c]
            weighted = ctx.mulMat(values, kq);
        }
        g.name(weighted, "attn_latent" + i);
        Tensor perHead = ctx.mulMat(g.matrix(b + "attn_v_b.weight"), weighted); // [v, T, H]
        Tensor merged = AttentionLowering.mergeHeads(ctx, perHead, (long) l.valueHeadDim() * heads, tokens);
        g.name(merged, "attn_heads" + i);
        return g.name(g.linear(merged, b + "attn_output"), "attn_out" + i);
    }

    /** q [H * (n + r), T]: one projection, or DeepSeek-V2's low-rank pair with an RMSNorm between. */
    private Tensor queries(String b, LatentAttention l, Tensor x) {
        if (l.queryRank() == 0) {
            return g.linear(x, b + "attn_q");
        }
        Tensor low = rms(g.linear(x, b + "attn_q_a"), b + "attn_q_a_norm");
        return g.linear(low, b + "attn_q_b");
    }

    /** DeepSeek's latent norms are RMSNorms, with the spec's epsilon. */
    private Tensor rms(Tensor x, String base) {
        return g.normWith(Norm.rms(eps), x, base);
    }

    /** A [D, K] view as flash attention's [D, K, 1] (one key head). */
    private Tensor threeD(Tensor view) {
        return ctx.view(view, new long[] {view.ne(0), view.ne(1), 1}, new long[] {view.nb(1), view.nb(1) * view.ne(1)},
                0);
    }
}
