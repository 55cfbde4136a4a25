package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.plan.Block;
import dev.llmgraph.spec.plan.Plan;
import dev.llmgraph.spec.plan.Step;

import java.util.List;

/**
 * The graphs of an encoder-decoder. The encoder is any encoder's graph ({@link GraphBuilder#build}); the decoder
 * walks its stack's plan as a decoder's graph does and puts cross-attention between each block's self-attention and
 * its FFN. Legend (ggml order): d dModel, hd headDim, H heads, T new decoder tokens, S encoder positions, V vocab.
 * <pre>
 *  x  [d, T]                          residual stream of the decoder
 *  q  = W_q RMS(x)   [hd, H, T] -> [hd, T, H]
 *  kq = mul_mat(K, q)                 [S, T, H]    K from the {@link CrossAttentionCache}; no mask, no bias, scale 1
 *  o  = mul_mat(V^T, softmax(kq))     [hd, T, H] -> [hd * H, T] -> W_o -> [d, T]
 * </pre>
 */
public final class EncoderDecoderLowering {
    private EncoderDecoderLowering() {}

    /** A graph's builder (to fill its inputs) and its output. */
    public record Built(GraphBuilder builder, Tensor output) {
        /** Sets the inputs for tokens {@code ids} at positions {@code start ..}. */
        public void fill(int[] ids, int start) {
            builder.fillInputs(ids, start, 0);
        }
    }

    /** The encoder's hidden states [d, S] after its final norm, for S = {@code tokens}. */
    public static Built encoder(EncoderDecoderSpec spec, Weights encoderWeights, KvCache cache, Context ctx,
                                Graph graph, int tokens) {
        GraphBuilder g = new GraphBuilder(spec.encoder(), encoderWeights, null, cache, ctx, graph,
                new GraphBuilder.Shape(tokens, tokens, true));
        Tensor hidden = g.build(cache);
        graph.expand(hidden);
        return new Built(g, hidden);
    }

    /**
     * The decoder's logits [V, T] for T = {@code shape.tokens()} new tokens whose self-attention keys go to
     * {@code self} and whose cross-attention reads {@code cross}.
     */
    public static Built decoder(EncoderDecoderSpec spec, Weights decoderWeights, KvCache self,
                                CrossAttentionCache cross, Context ctx, Graph graph, GraphBuilder.Shape shape) {
        GraphBuilder g = new GraphBuilder(spec.decoder(), decoderWeights, null, self, ctx, graph, shape);
        StepLowering steps = new StepLowering(g, new CachedAttention(g, self), null, null, null);
        Plan plan = spec.decoder().plan();
        Tensor x = steps.lower(plan.input(), null, LastTokenTrim.NONE);
        Norm norm = Norm.rms(spec.normEps());
        for (Block block : plan.blocks()) {
            // PRE placement: [Residual(self-attention), Residual(FFN)]; cross-attention goes between them.
            List<Step> sublayers = block.steps();
            x = steps.lower(sublayers.subList(0, 1), x, LastTokenTrim.NONE);
            int i = block.layer();
            Tensor normed = g.name(g.normWith(norm, x, "dec.blk." + i + ".cross_attn_norm"), "cross_attn_norm." + i);
            x = g.name(ctx.add(x, crossAttend(g, cross, i, normed)), "cross_res." + i);
            x = steps.lower(sublayers.subList(1, sublayers.size()), x, LastTokenTrim.NONE);
        }
        List<Step> output = plan.output();                          // [final norm, head]
        x = steps.lower(output.subList(0, output.size() - 1), x, LastTokenTrim.NONE);
        if (spec.rescaledHead()) {
            x = g.name(ctx.scale(x, (float) spec.headScale()), "head_rescaled");
        }
        Tensor logits = steps.lower(output.subList(output.size() - 1, output.size()), x, LastTokenTrim.NONE);
        logits.markOutput();
        graph.expand(logits);
        return new Built(g, logits);
    }

    /** Cross-attention of layer {@code layer} from the normalised stream {@code x} [d, T]; returns [d, T]. */
    private static Tensor crossAttend(GraphBuilder g, CrossAttentionCache cross, int layer, Tensor x) {
        Context ctx = g.ctx;
        String b = "dec.blk." + layer + ".cross_attn_";
        String n = "." + layer;
        Tensor keys = cross.keys(layer);                                       // [hd, S, H]
        long hd = keys.ne(0), heads = keys.ne(2), tokens = x.ne(1);
        Tensor q = ctx.reshape(g.linear(x, b + "q"), hd, heads, tokens);      // [hd, H, T]
        Tensor qp = g.name(ctx.permute(q, 0, 2, 1, 3), "cross_q" + n);        // [hd, T, H]
        Tensor kq = g.name(ctx.attention().scores(keys, qp), "cross_kq" + n); // [S, T, H]
        kq = g.name(ctx.attention().softMax(kq, null, 1f, 0f), "cross_kq_softmax" + n);
        Tensor kqv = ctx.mulMat(cross.valuesTransposed(layer), kq);            // [hd, T, H]
        Tensor merged = ctx.reshape(ctx.cont(ctx.permute(kqv, 0, 2, 1, 3)), hd * heads, tokens);
        g.name(merged, "cross_heads" + n);
        return g.name(g.linear(merged, b + "o"), "cross_out" + n);
    }
}
