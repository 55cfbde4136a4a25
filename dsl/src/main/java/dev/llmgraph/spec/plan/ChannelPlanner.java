package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.RwkvChannelMix;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.List;

import static dev.llmgraph.spec.plan.Node.TOKENS;

/** The {@link Step.Channel} of a layer: one case per {@link dev.llmgraph.spec.ChannelMixer}. */
final class ChannelPlanner {
    private ChannelPlanner() {}

    static Step.Channel channel(ModelSpec s, LayerChoice layer) {
        return switch (layer.channel()) {
            case Ffn f -> ffn(s, layer.layer(), f);
            case Moe m -> moe(s, layer.layer(), m);
            case RwkvChannelMix m -> RwkvPlanner.channel(s, layer.layer(), m);
        };
    }

    /** Gate (when gated), up and down projections; the nodes lowering names. */
    private static Step.Channel ffn(ModelSpec s, int i, Ffn f) {
        String b = "blk." + i + ".";
        long d = s.dModel(), width = f.width();
        List<Weight> weights = new ArrayList<>();
        if (f.gated()) {
            weights.addAll(WeightShapes.matrix(b + "ffn_gate", d, width, f.bias(), WeightRole.BRANCH_PROJECTION,
                    "ffn"));
        }
        weights.addAll(WeightShapes.matrix(b + "ffn_up", d, width, f.bias(), WeightRole.BRANCH_PROJECTION, "ffn"));
        weights.addAll(WeightShapes.matrix(b + "ffn_down", width, d, f.bias(), WeightRole.BRANCH_OUTPUT, "ffn"));

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        if (f.gated()) {
            nodes.add(Node.of("ffn_gate" + n, "gate projection", TOKENS, width));
        }
        nodes.add(Node.of("ffn_up" + n, "up projection", TOKENS, width));
        nodes.add(Node.of("ffn_act" + n, f.displayName() + " hidden", TOKENS, width));
        nodes.add(Node.of("ffn_out" + n, "down projection", TOKENS, d));
        return new Step.Channel(i, f, weights, nodes);
    }

    /**
     * The router {@code ffn_gate_inp [d, E]}; the experts stacked along a third dimension, in llama.cpp's
     * names: {@code ffn_gate_exps, ffn_up_exps [d, f, E]}, {@code ffn_down_exps [f, d, E]}; the shared experts
     * as one FFN {@code ffn_*_shexp} of their total width, and the vector of their sigmoid gate.
     */
    private static Step.Channel moe(ModelSpec s, int i, Moe m) {
        String b = "blk." + i + ".";
        long d = s.dModel(), width = m.expert().width(), experts = m.experts(), k = m.expertsPerToken();
        List<Weight> weights = new ArrayList<>();
        weights.add(new Weight(b + "ffn_gate_inp.weight", new long[] {d, experts}, WeightRole.ROUTER, "router"));
        if (m.expert().gated()) {
            weights.add(new Weight(b + "ffn_gate_exps.weight", new long[] {d, width, experts},
                    WeightRole.BRANCH_PROJECTION, "experts"));
        }
        weights.add(new Weight(b + "ffn_up_exps.weight", new long[] {d, width, experts}, WeightRole.BRANCH_PROJECTION,
                "experts"));
        weights.add(new Weight(b + "ffn_down_exps.weight", new long[] {width, d, experts}, WeightRole.BRANCH_OUTPUT,
                "experts"));
        SharedExperts shared = m.shared();
        long sharedWidth = shared.totalWidth();
        if (shared.present()) {
            if (shared.sigmoidGate()) {
                weights.add(new Weight(b + "ffn_gate_inp_shexp.weight", new long[] {d}, WeightRole.ROUTER,
                        "shared experts"));
            }
            if (m.expert().gated()) {
                weights.addAll(WeightShapes.matrix(b + "ffn_gate_shexp", d, sharedWidth, false,
                        WeightRole.BRANCH_PROJECTION, "shared experts"));
            }
            weights.addAll(WeightShapes.matrix(b + "ffn_up_shexp", d, sharedWidth, false,
                    WeightRole.BRANCH_PROJECTION, "shared experts"));
            weights.addAll(WeightShapes.matrix(b + "ffn_down_shexp", sharedWidth, d, false, WeightRole.BRANCH_OUTPUT,
                    "shared experts"));
        }

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("ffn_moe_logits" + n, "router scores", TOKENS, experts));
        nodes.add(Node.of("ffn_moe_probs" + n, "router " + m.router(), TOKENS, experts));
        nodes.add(Node.of("ffn_moe_topk" + n, "ids of the " + k + " chosen experts", TOKENS, k));
        nodes.add(Node.of("ffn_moe_weights" + n, "weights of the chosen experts", TOKENS, k, 1));
        nodes.add(Node.of("ffn_moe_act" + n, m.expert().displayName() + " hidden of each chosen expert", TOKENS, k,
                width));
        nodes.add(Node.of("ffn_moe_down" + n, "each chosen expert's output", TOKENS, k, d));
        nodes.add(Node.of("ffn_moe_out" + n, "weighted sum over the chosen experts", TOKENS, d));
        if (shared.present()) {
            nodes.add(Node.of("ffn_shexp" + n, "shared experts' output", TOKENS, d));
            if (shared.sigmoidGate()) {
                nodes.add(Node.of("ffn_shexp_gate" + n, "sigmoid gate of the shared experts", TOKENS, 1));
            }
        }
        nodes.add(Node.of("ffn_out" + n, "routed plus shared experts", TOKENS, d));
        return new Step.Channel(i, m, weights, nodes);
    }
}
