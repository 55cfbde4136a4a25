package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.ModelSpec;
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
}
