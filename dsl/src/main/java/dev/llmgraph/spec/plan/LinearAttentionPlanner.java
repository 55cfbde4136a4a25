package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.List;

import static dev.llmgraph.spec.plan.Node.TOKENS;

/**
 * Linear attention ({@link LinearAttention}) as a step: llama.cpp's attention names for q, k, v and the output
 * (llama.cpp has no linear-attention architecture, so the names are llmgraph's own beyond those), the output gate
 * {@code attn_gate} and GLA's low-rank decay gate {@code attn_gk1} [d, rank], {@code attn_gk2} [rank, d] with its
 * bias [d]; and the nodes {@code LinearAttentionLowering} names.
 */
final class LinearAttentionPlanner {
    private static final String C = "linear attention";

    private LinearAttentionPlanner() {}

    static Step.Mix mix(ModelSpec s, LayerChoice layer, LinearAttention m) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel();
        List<Weight> weights = new ArrayList<>();
        weights.addAll(WeightShapes.matrix(b + "attn_q", d, d, false, WeightRole.PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "attn_k", d, d, false, WeightRole.PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "attn_v", d, d, false, WeightRole.PROJECTION, C));
        long rank = m.decay().gateRank();
        if (rank > 0) {
            weights.add(new Weight(b + "attn_gk1.weight", new long[] {d, rank}, WeightRole.LOW_RANK, C));
            weights.add(new Weight(b + "attn_gk2.weight", new long[] {rank, d}, WeightRole.LOW_RANK, C));
            weights.add(new Weight(b + "attn_gk2.bias", new long[] {d}, WeightRole.BIAS, C));
        }
        if (m.outputGate()) {
            weights.addAll(WeightShapes.matrix(b + "attn_gate", d, d, false, WeightRole.PROJECTION, C));
        }
        weights.addAll(WeightShapes.matrix(b + "attn_output", d, d, false, WeightRole.BRANCH_OUTPUT, C));

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("Qcur" + n, "phi(W_q x), " + m.featureMap().formula(), TOKENS, d));
        nodes.add(Node.of("Kcur" + n, "phi(W_k x)", TOKENS, d));
        nodes.add(Node.of("Vcur" + n, "W_v x", TOKENS, d));
        if (m.decay().decays()) {
            nodes.add(Node.of("linear_decay" + n, "the decay g_t of every key channel", TOKENS, d));
        }
        nodes.add(Node.of("linear_attn" + n, "the recurrence's read-out q^T S / sqrt(headDim)", TOKENS, d));
        if (m.outputNorm() || m.outputGate()) {
            nodes.add(Node.of("linear_gated" + n, (m.outputNorm() ? "SRMSNorm(o)" : "o")
                    + (m.outputGate() ? " * SiLU(W_u x)" : ""), TOKENS, d));
        }
        nodes.add(Node.of("attn_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, m, s.dModel(), layer.mask(), weights, nodes);
    }
}
