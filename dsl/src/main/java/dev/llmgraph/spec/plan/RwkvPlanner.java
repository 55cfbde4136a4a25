package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.RwkvChannelMix;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.List;

import static dev.llmgraph.spec.plan.Node.TOKENS;

/**
 * RWKV's time mixing ({@link Rwkv6}, {@link Rwkv7}) and channel mixing as steps, with llama.cpp's tensor names and
 * shapes (ggml order) of {@code rwkv6} and {@code rwkv7}, and the nodes {@code RwkvLowering} names.
 */
final class RwkvPlanner {
    private static final String C = "time mix";

    private RwkvPlanner() {}

    /**
     * RWKV-6: lerp_x and the five fused lerps [d, 1, 1, 5] (w, k, v, r, g), their LoRA w1 [d, 5 mixRank] and w2
     * [mixRank, d, 5], the bonus first [headSize, heads], the decay base and its LoRA, r k v g, the group norm
     * time_mix_ln and the output.
     */
    static Step.Mix rwkv6(ModelSpec s, LayerChoice layer, Rwkv6 m) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel(), rank = m.mixRank();
        List<Weight> weights = new ArrayList<>();
        weights.add(new Weight(b + "time_mix_lerp_x.weight", new long[] {d, 1, 1}, WeightRole.TOKEN_SHIFT_MIX, C));
        weights.add(new Weight(b + "time_mix_lerp_fused.weight", new long[] {d, 1, 1, 5}, WeightRole.TOKEN_SHIFT_MIX,
                C));
        weights.add(new Weight(b + "time_mix_w1.weight", new long[] {d, 5 * rank}, WeightRole.LOW_RANK, C));
        weights.add(new Weight(b + "time_mix_w2.weight", new long[] {rank, d, 5}, WeightRole.LOW_RANK, C));
        weights.add(new Weight(b + "time_mix_first.weight", new long[] {m.headSize(), m.heads(s.dModel())},
                WeightRole.RECURRENCE_VECTOR, C));
        weights.add(new Weight(b + "time_mix_decay.weight", new long[] {d}, WeightRole.DECAY_BASE, C));
        weights.add(new Weight(b + "time_mix_decay_w1.weight", new long[] {d, m.decayRank()}, WeightRole.LOW_RANK, C));
        weights.add(new Weight(b + "time_mix_decay_w2.weight", new long[] {m.decayRank(), d}, WeightRole.LOW_RANK, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_key", d, d, false, WeightRole.PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_value", d, d, false, WeightRole.BRANCH_PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_receptance", d, d, false, WeightRole.PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_gate", d, d, false, WeightRole.PROJECTION, C));
        groupNormAndOutput(b, d, weights);

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("time_mix_decay" + n, "the decay w = exp(-exp(...)) of every channel", TOKENS, d));
        nodes.add(Node.of("wkv" + n, "the WKV recurrence's output r (u k^T v + S)", TOKENS, d));
        nodes.add(Node.of("time_mix_gated" + n, "GroupNorm(wkv) * SiLU(g)", TOKENS, d));
        nodes.add(Node.of("time_mix_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, m, s.dModel(), layer.mask(), weights, nodes);
    }

    /**
     * RWKV-7: the decay LoRA with its base w0, the in-context learning rate's (a0, a1, a2), the value residual's
     * (v0, v1, v2; not on layer 0, whose values are the residual's source), the gate's (g1, g2),
     * the six fused lerps [d, 1, 1, 6] (r, w, k, v, a, g), k_k, k_a, r_k, r k v, the group norm and the output.
     */
    static Step.Mix rwkv7(ModelSpec s, LayerChoice layer, Rwkv7 m) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel();
        List<Weight> weights = new ArrayList<>();
        lora(weights, b, "w", d, m.decayRank(), WeightRole.DECAY_BASE);
        lora(weights, b, "a", d, m.iclrRank(), WeightRole.RECURRENCE_VECTOR);
        if (i > 0) { // layer 0's values are the ones every later layer mixes back in: it has no value residual
            lora(weights, b, "v", d, m.valueRank(), WeightRole.RECURRENCE_VECTOR);
        }
        weights.add(new Weight(b + "time_mix_g1.weight", new long[] {d, m.gateRank()}, WeightRole.LOW_RANK, C));
        weights.add(new Weight(b + "time_mix_g2.weight", new long[] {m.gateRank(), d}, WeightRole.LOW_RANK, C));
        weights.add(new Weight(b + "time_mix_lerp_fused.weight", new long[] {d, 1, 1, 6}, WeightRole.TOKEN_SHIFT_MIX,
                C));
        for (String v : new String[] {"k_k", "k_a", "r_k"}) {
            weights.add(new Weight(b + "time_mix_" + v + ".weight", new long[] {d}, WeightRole.RECURRENCE_VECTOR, C));
        }
        weights.addAll(WeightShapes.matrix(b + "time_mix_key", d, d, false, WeightRole.PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_value", d, d, false, WeightRole.BRANCH_PROJECTION, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_receptance", d, d, false, WeightRole.PROJECTION, C));
        groupNormAndOutput(b, d, weights);

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("time_mix_decay" + n, "the decay w = exp(-e^-1/2 sigmoid(...)) of every channel", TOKENS,
                d));
        nodes.add(Node.of("time_mix_v" + n, "values after the residual mix with layer 0's", TOKENS, d));
        nodes.add(Node.of("wkv" + n, "the WKV-7 recurrence's output S r", TOKENS, d));
        nodes.add(Node.of("time_mix_gated" + n, "(GroupNorm(wkv) + v (r k r_k)) * g", TOKENS, d));
        nodes.add(Node.of("time_mix_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, m, s.dModel(), layer.mask(), weights, nodes);
    }

    /**
     * The channel mixing: lerp_k (and lerp_r) [d, 1, 1], key [d, width], value [width, d] (and the receptance
     * [d, d]).
     */
    static Step.Channel channel(ModelSpec s, int i, RwkvChannelMix m) {
        String b = "blk." + i + ".";
        long d = s.dModel(), width = m.width();
        String c = "channel mix";
        List<Weight> weights = new ArrayList<>();
        weights.add(new Weight(b + "channel_mix_lerp_k.weight", new long[] {d, 1, 1}, WeightRole.TOKEN_SHIFT_MIX, c));
        if (m.receptance()) {
            weights.add(new Weight(b + "channel_mix_lerp_r.weight", new long[] {d, 1, 1}, WeightRole.TOKEN_SHIFT_MIX,
                    c));
        }
        weights.addAll(WeightShapes.matrix(b + "channel_mix_key", d, width, false, WeightRole.BRANCH_PROJECTION, c));
        weights.addAll(WeightShapes.matrix(b + "channel_mix_value", width, d, false, WeightRole.BRANCH_OUTPUT, c));
        if (m.receptance()) {
            weights.addAll(WeightShapes.matrix(b + "channel_mix_receptance", d, d, false, WeightRole.PROJECTION, c));
        }
        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("channel_mix_key" + n, "ReLU(W_k x_k)^2", TOKENS, width));
        nodes.add(Node.of("channel_mix_out" + n, m.receptance() ? "sigmoid(W_r x_r) * W_v k" : "W_v k", TOKENS, d));
        return new Step.Channel(i, m, weights, nodes);
    }

    /** x0 [d] (its role {@code base}), x1 [d, rank], x2 [rank, d] for x in w, a, v. */
    private static void lora(List<Weight> weights, String b, String x, long d, long rank, WeightRole base) {
        weights.add(new Weight(b + "time_mix_" + x + "0.weight", new long[] {d}, base, C));
        weights.add(new Weight(b + "time_mix_" + x + "1.weight", new long[] {d, rank}, WeightRole.LOW_RANK, C));
        weights.add(new Weight(b + "time_mix_" + x + "2.weight", new long[] {rank, d}, WeightRole.LOW_RANK, C));
    }

    /** The per-head group norm's gain and bias [d] and the output projection. */
    private static void groupNormAndOutput(String b, long d, List<Weight> weights) {
        weights.add(new Weight(b + "time_mix_ln.weight", new long[] {d}, WeightRole.NORM_GAIN, C));
        weights.add(new Weight(b + "time_mix_ln.bias", new long[] {d}, WeightRole.NORM_BIAS, C));
        weights.addAll(WeightShapes.matrix(b + "time_mix_output", d, d, false, WeightRole.BRANCH_OUTPUT, C));
    }
}
