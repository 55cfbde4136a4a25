package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.List;

import static dev.llmgraph.spec.plan.Node.KEYS;
import static dev.llmgraph.spec.plan.Node.TOKENS;

/** The {@link Step.Mix} of a layer: one case per {@link dev.llmgraph.spec.SequenceMixer}. */
final class MixerPlanner {
    private MixerPlanner() {}

    static Step.Mix mix(ModelSpec s, LayerChoice layer) {
        return switch (layer.mixer()) {
            case Attention a -> attention(s, layer, a);
        };
    }

    /** q, k, v, QK-norm gains and the output projection; the nodes {@code CachedAttention} names. */
    private static Step.Mix attention(ModelSpec s, LayerChoice layer, Attention a) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel(), hd = a.headDim(s.dModel());
        long q = a.heads() * hd, kv = a.kvHeads() * hd;
        List<Weight> weights = new ArrayList<>();
        weights.addAll(WeightShapes.matrix(b + "attn_q", d, q, a.qkvBias(), WeightRole.PROJECTION, "attention"));
        weights.addAll(WeightShapes.matrix(b + "attn_k", d, kv, a.qkvBias(), WeightRole.PROJECTION, "attention"));
        weights.addAll(WeightShapes.matrix(b + "attn_v", d, kv, a.qkvBias(), WeightRole.BRANCH_PROJECTION,
                "attention"));
        if (a.qkNorm()) {
            weights.add(new Weight(b + "attn_q_norm.weight", new long[] {hd}, WeightRole.NORM_GAIN, "attention"));
            weights.add(new Weight(b + "attn_k_norm.weight", new long[] {hd}, WeightRole.NORM_GAIN, "attention"));
        }
        weights.addAll(WeightShapes.matrix(b + "attn_output", q, d, a.outBias(), WeightRole.BRANCH_OUTPUT,
                "attention"));

        String n = "." + i;
        String rotated = s.positional().rotatesQueriesAndKeys() ? ", rotated" : "";
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("q" + n, "queries per head" + rotated, a.heads(), TOKENS, hd));
        nodes.add(Node.of("k" + n, "keys per K/V head" + rotated, a.kvHeads(), TOKENS, hd));
        nodes.add(Node.of("v" + n, "values per K/V head", a.kvHeads(), TOKENS, hd));
        if (!a.flash()) {
            nodes.add(Node.of("kq" + n, "attention logits q k^T over " + layer.mask().name().toLowerCase()
                    + " mask", a.heads(), TOKENS, KEYS));
            nodes.add(Node.of("kq_softmax" + n, "attention weights", a.heads(), TOKENS, KEYS));
        }
        nodes.add(Node.of("attn_heads" + n, (a.flash() ? "flash attention" : "weights x values") + ", heads merged",
                TOKENS, q));
        nodes.add(Node.of("attn_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, a, s.dModel(), layer.mask(), weights, nodes);
    }
}
