package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Ssm;
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
            case LatentAttention l -> latent(s, layer, l);
            case Ssm m -> ssm(s, layer, m);
            case Mamba2 m -> mamba2(s, layer, m);
            case Rwkv6 m -> RwkvPlanner.rwkv6(s, layer, m);
            case Rwkv7 m -> RwkvPlanner.rwkv7(s, layer, m);
            case LinearAttention m -> LinearAttentionPlanner.mix(s, layer, m);
        };
    }

    /**
     * Mamba-2's weights with llama.cpp's {@code mamba2} names: the input projection to z | xBC | dt, the convolution
     * over xBC and its bias, the step-size bias, A and D (one per head, [1, heads]), the group norm's gain
     * [innerDim / groups, groups], the output projection.
     */
    private static Step.Mix mamba2(ModelSpec s, LayerChoice layer, Mamba2 m) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel(), di = m.innerDim(), h = m.heads(), conv = m.convChannels();
        String c = "state space";
        List<Weight> weights = new ArrayList<>();
        weights.addAll(WeightShapes.matrix(b + "ssm_in", d, di + conv + h, false, WeightRole.PROJECTION, c));
        weights.add(new Weight(b + "ssm_conv1d.weight", new long[] {m.convWidth(), conv}, WeightRole.CONVOLUTION, c));
        weights.add(new Weight(b + "ssm_conv1d.bias", new long[] {conv}, WeightRole.BIAS, c));
        weights.add(new Weight(b + "ssm_dt.bias", new long[] {h}, WeightRole.STEP_BIAS, c));
        weights.add(new Weight(b + "ssm_a", new long[] {1, h}, WeightRole.STATE_DECAY, c));
        weights.add(new Weight(b + "ssm_d", new long[] {1, h}, WeightRole.STATE_SKIP, c));
        weights.add(new Weight(b + "ssm_norm.weight", new long[] {di / m.groups(), m.groups()}, WeightRole.NORM_GAIN,
                c));
        weights.addAll(WeightShapes.matrix(b + "ssm_out", di, d, false, WeightRole.BRANCH_OUTPUT, c));

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("ssm_conv" + n, "SiLU(causal conv1d(xBC) + b): x | B | C after the convolution", TOKENS,
                conv));
        nodes.add(Node.of("ssm_dt" + n, "step sizes before the softplus, one per head", TOKENS, h));
        nodes.add(Node.of("ssm_y" + n, "the selective scan's output C H + D x", TOKENS, di));
        nodes.add(Node.of("ssm_gated" + n, "GroupRMSNorm(y * SiLU(z))", TOKENS, di));
        nodes.add(Node.of("ssm_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, m, s.dModel(), layer.mask(), weights, nodes);
    }

    /**
     * Mamba's weights with llama.cpp's {@code mamba} names and shapes (ggml order): the input projection to u | z,
     * the depthwise convolution and its bias, the projection to dt | B | C (and, in Jamba, the gains of their RMSNorms),
     * the step-size projection and bias, A and
     * D (no {@code .weight} suffix, as llama.cpp names them), the output projection; the nodes {@code SsmLowering}
     * names.
     */
    private static Step.Mix ssm(ModelSpec s, LayerChoice layer, Ssm m) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel(), di = m.innerDim(), ds = m.stateDim();
        String c = "state space";
        List<Weight> weights = new ArrayList<>();
        weights.addAll(WeightShapes.matrix(b + "ssm_in", d, 2 * di, false, WeightRole.PROJECTION, c));
        weights.add(new Weight(b + "ssm_conv1d.weight", new long[] {m.convWidth(), di}, WeightRole.CONVOLUTION, c));
        weights.add(new Weight(b + "ssm_conv1d.bias", new long[] {di}, WeightRole.BIAS, c));
        weights.addAll(WeightShapes.matrix(b + "ssm_x", di, m.dtRank() + 2 * ds, false, WeightRole.PROJECTION, c));
        if (m.dtBcNorm()) { // Jamba's gains, in llama.cpp's names
            weights.add(new Weight(b + "ssm_dt_norm.weight", new long[] {m.dtRank()}, WeightRole.NORM_GAIN, c));
            weights.add(new Weight(b + "ssm_b_norm.weight", new long[] {ds}, WeightRole.NORM_GAIN, c));
            weights.add(new Weight(b + "ssm_c_norm.weight", new long[] {ds}, WeightRole.NORM_GAIN, c));
        }
        weights.addAll(WeightShapes.matrix(b + "ssm_dt", m.dtRank(), di, false, WeightRole.PROJECTION, c));
        weights.add(new Weight(b + "ssm_dt.bias", new long[] {di}, WeightRole.STEP_BIAS, c));
        weights.add(new Weight(b + "ssm_a", new long[] {ds, di}, WeightRole.STATE_DECAY, c));
        weights.add(new Weight(b + "ssm_d", new long[] {di}, WeightRole.STATE_SKIP, c));
        weights.addAll(WeightShapes.matrix(b + "ssm_out", di, d, false, WeightRole.BRANCH_OUTPUT, c));

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("ssm_conv" + n, "SiLU(causal conv1d(u) + b): the stream after the convolution", TOKENS, di));
        nodes.add(Node.of("ssm_dt" + n, "step sizes before the softplus, one per channel", TOKENS, di));
        nodes.add(Node.of("ssm_y" + n, "the selective scan's output C h + D u", TOKENS, di));
        nodes.add(Node.of("ssm_gated" + n, "y * SiLU(z)", TOKENS, di));
        nodes.add(Node.of("ssm_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, m, s.dModel(), layer.mask(), weights, nodes);
    }

    /**
     * MLA's weights with llama.cpp's {@code deepseek2} names: the query path, the latent and RoPE-key projection
     * {@code attn_kv_a_mqa}, the latent's norm, W_UK {@code attn_k_b} [nope, kvRank, heads] and W_UV
     * {@code attn_v_b} [kvRank, value, heads] (one matrix per head), the output; the nodes {@code LatentLowering}
     * names, with the cached latent {@code kv_latent.i} among them.
     */
    private static Step.Mix latent(ModelSpec s, LayerChoice layer, LatentAttention l) {
        int i = layer.layer();
        String b = "blk." + i + ".";
        long d = s.dModel(), h = l.heads(), qk = l.queryKeyHeadDim(), rank = l.kvRank();
        String c = "attention";
        List<Weight> weights = new ArrayList<>();
        if (l.queryRank() == 0) {
            weights.addAll(WeightShapes.matrix(b + "attn_q", d, h * qk, false, WeightRole.PROJECTION, c));
        } else {
            weights.addAll(WeightShapes.matrix(b + "attn_q_a", d, l.queryRank(), false, WeightRole.PROJECTION, c));
            weights.add(new Weight(b + "attn_q_a_norm.weight", new long[] {l.queryRank()}, WeightRole.NORM_GAIN, c));
            weights.addAll(WeightShapes.matrix(b + "attn_q_b", l.queryRank(), h * qk, false, WeightRole.PROJECTION,
                    c));
        }
        weights.addAll(WeightShapes.matrix(b + "attn_kv_a_mqa", d, l.cacheRow(), false, WeightRole.PROJECTION, c));
        weights.add(new Weight(b + "attn_kv_a_norm.weight", new long[] {rank}, WeightRole.NORM_GAIN, c));
        weights.add(new Weight(b + "attn_k_b.weight", new long[] {l.nopeHeadDim(), rank, h}, WeightRole.PROJECTION,
                c));
        weights.add(new Weight(b + "attn_v_b.weight", new long[] {rank, l.valueHeadDim(), h},
                WeightRole.BRANCH_PROJECTION, c));
        weights.addAll(WeightShapes.matrix(b + "attn_output", h * l.valueHeadDim(), d, false,
                WeightRole.BRANCH_OUTPUT, c));

        String n = "." + i;
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("k_rope" + n, "the RoPE key shared by all heads, rotated (cached)", TOKENS,
                l.ropeHeadDim()));
        nodes.add(Node.of("kv_latent" + n, "the compressed latent c_KV, RMS-normalised (cached)", TOKENS, rank));
        nodes.add(Node.of("k" + n, "the cached row [c_KV | k_R]: the one key every head reads", 1, TOKENS,
                l.cacheRow()));
        nodes.add(Node.of("v" + n, "the latent c_KV: the one value every head reads", 1, TOKENS, rank));
        nodes.add(Node.of("q" + n, "queries in the latent space (W_UK absorbed) | rotated RoPE part", h, TOKENS,
                l.cacheRow()));
        if (!l.flash()) {
            nodes.add(Node.of("kq" + n, "attention logits over the cached latents, " + layer.mask().name()
                    .toLowerCase() + " mask", h, TOKENS, KEYS));
            nodes.add(Node.of("kq_softmax" + n, "attention weights", h, TOKENS, KEYS));
        }
        nodes.add(Node.of("attn_latent" + n, "weights x latents per head", h, TOKENS, rank));
        nodes.add(Node.of("attn_heads" + n, "decompressed by W_UV per head, heads merged", TOKENS,
                h * l.valueHeadDim()));
        nodes.add(Node.of("attn_out" + n, "output projection", TOKENS, d));
        return new Step.Mix(i, l, s.dModel(), layer.mask(), weights, nodes);
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
        if (a.qkNorm().present()) {
            long qGain = a.qkNorm().gainWidth(a.heads(), (int) hd), kGain = a.qkNorm().gainWidth(a.kvHeads(), (int) hd);
            weights.add(new Weight(b + "attn_q_norm.weight", new long[] {qGain}, WeightRole.NORM_GAIN, "attention"));
            weights.add(new Weight(b + "attn_k_norm.weight", new long[] {kGain}, WeightRole.NORM_GAIN, "attention"));
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
