package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;

/**
 * What llama.cpp's {@code deepseek2} ({@code src/models/deepseek2.cpp}, DeepSeek-V2 and V2-Lite) computes beyond its
 * family facts: multi-head latent
 * attention in its absorbed form ({@code attn_kv_a_mqa}, {@code attn_kv_a_norm}, {@code attn_k_b},
 * {@code attn_v_b}; queries by {@code attn_q}, or {@code attn_q_a}, {@code attn_q_a_norm}, {@code attn_q_b}), RoPE
 * on adjacent pairs of the RoPE dimensions, RMSNorm before each sublayer, SwiGLU; after
 * {@code leading_dense_block_count} dense layers, SwiGLU experts routed by softmax (or sigmoid), top-k, weights
 * renormalised when {@code expert_weights_norm}, times {@code expert_weights_scale}, plus always-on shared experts
 * as wide as the routed ones, the top k taken inside the best {@code expert_group_used_count} of
 * {@code expert_group_count} groups when the experts are grouped (each group ranked by its two best experts: llama.cpp
 * has no other rule, so DeepSeek-V2's ranking by the best one is a misfit). The file states MLA as llama.cpp caches it: {@code head_count_kv} 1,
 * {@code key_length} kvRank + ropeHeadDim, {@code value_length} kvRank, and the decompressed head sizes as
 * {@code key_length_mla} and {@code value_length_mla}. DeepSeek's YaRN mscale is
 * {@code rope.scaling.yarn_log_multiplier} = 0.1 x mscale, as llama.cpp's converter writes it.
 */
final class DeepSeek2Keys {
    private DeepSeek2Keys() {
    }

    /**
     * In place of the family's expert facts: SwiGLU experts, routed by softmax or sigmoid before top-k, plus
     * ungated shared experts as wide as the routed ones.
     */
    static void expertMisfits(ModelSpec spec, Misfits m) {
        Moe moe = spec.moe();
        if (moe != null) {
            Ffn e = moe.expert();
            if (!e.gated() || e.activation() != Activation.SILU) {
                m.add("experts of " + e, "uses SwiGLU experts");
            }
            if (moe.router().scoring() == Router.Scoring.TOP_K_SOFTMAX) {
                m.add("a router " + moe.router(), "scores by softmax or sigmoid before top-k");
            }
            if (!moe.routesEveryLayer()) {
                m.add("experts on " + moe.sparseLayers(), "routes every layer after the leading dense ones");
            }
            ExpertGroups groups = moe.router().groups();
            if (groups.present() && groups.ranking() == ExpertGroups.Ranking.BEST_EXPERT) {
                m.add("experts in groups ranked by their best expert (DeepSeek-V2's group_limited_greedy)",
                        "ranks a group by the sum of its two best experts (DeepSeek-V3's rule); use "
                                + "ExpertGroups.Ranking.TWO_BEST_EXPERTS, knowing that it routes differently");
            }
            if (groups.present() && groups.kept() == groups.count()) {
                m.add("all " + groups.count() + " expert groups kept", "refuses to keep every group; drop the groups, "
                        + "which routes the same");
            }
            SharedExperts shared = moe.shared();
            if (!shared.present() || shared.sigmoidGate() || shared.width() != e.width()) {
                m.add("shared experts " + shared, "adds ungated shared experts as wide as the routed ones");
            }
        }
    }

    static void write(ModelSpec spec, GgufWriter out) {
        String a = "deepseek2.";
        LatentAttention l = spec.latent();
        out.putUint32(a + "attention.head_count_kv", 1);
        out.putUint32(a + "attention.key_length", l.cacheRow());
        out.putUint32(a + "attention.value_length", l.kvRank());
        out.putUint32(a + "attention.key_length_mla", l.queryKeyHeadDim());
        out.putUint32(a + "attention.value_length_mla", l.valueHeadDim());
        // Read unless the file has 26 or 27 layers (V2-Lite's); 0 means queries are projected directly.
        out.putUint32(a + "attention.q_lora_rank", l.queryRank());
        out.putUint32(a + "attention.kv_lora_rank", l.kvRank());
        if (yarn(spec.positional())) {
            out.putFloat32(a + "rope.scaling.yarn_log_multiplier", (float) (0.1 * l.yarnMscale()));
        }
        Moe moe = spec.moe();
        if (moe == null) { // every layer dense; llama.cpp still requires the expert width and shared count
            out.putUint32(a + "leading_dense_block_count", spec.layers());
            out.putUint32(a + "expert_feed_forward_length", spec.ffnDim());
            out.putUint32(a + "expert_shared_count", 0);
            return;
        }
        out.putUint32(a + "leading_dense_block_count", moe.denseLayers());
        out.putUint32(a + "expert_count", moe.experts());
        out.putUint32(a + "expert_used_count", moe.expertsPerToken());
        out.putUint32(a + "expert_feed_forward_length", moe.expert().width());
        out.putUint32(a + "expert_shared_count", moe.shared().count());
        out.putFloat32(a + "expert_weights_scale", (float) moe.router().scale());
        out.putBool(a + "expert_weights_norm", moe.router().renormalise());
        out.putUint32(a + "expert_gating_func", moe.router().scoring() == Router.Scoring.SIGMOID ? 2 : 1);
        ExpertGroups groups = moe.router().groups();
        if (groups.present()) {
            out.putUint32(a + "expert_group_count", groups.count());
            out.putUint32(a + "expert_group_used_count", groups.kept());
        }
    }

    static ModelSpec read(ModelFile f) {
        int rank = f.keys.requireInt("attention.kv_lora_rank");
        int queryKey = f.keys.requireInt("attention.key_length_mla");
        int value = f.keys.requireInt("attention.value_length_mla");
        int queryRank = f.keys.intOr("attention.q_lora_rank", 0);
        int ropeDims = f.keys.requireInt("rope.dimension_count");
        Positional.Rope rope = f.rope(RopePairing.ADJACENT, ropeDims, true);
        double mscale = mscale(f, rope);
        LatentAttention latent = new LatentAttention(f.heads, queryRank, rank, ropeDims, queryKey - ropeDims, value,
                mscale, false);
        Moe moe = null;
        int dense = f.keys.intOr("leading_dense_block_count", 0);
        if (f.expertCount > 0 && dense < f.layers) {
            int width = f.keys.requireInt("expert_feed_forward_length");
            Router router = new Router(f.keys.intOr("expert_gating_func", 1) == 2 ? Router.Scoring.SIGMOID
                    : Router.Scoring.SOFTMAX, f.keys.boolOr("expert_weights_norm", false),
                    nonZero(f.keys.floatOr("expert_weights_scale", 1.0)));
            int sharedCount = f.keys.requireInt("expert_shared_count");
            SharedExperts shared = new SharedExperts(sharedCount, sharedCount == 0 ? 0 : width, false);
            moe = f.experts(Ffn.swiglu(width), router, shared).withDenseLayers(dense);
        }
        return f.builder()
                .attention(latent.asMultiHead())
                .latentAttention(latent)
                .positional(rope)
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength))
                .moe(moe)
                .tiedEmbeddings(f.tied())
                .build();
    }

    /**
     * DeepSeek's mscale from {@code rope.scaling.yarn_log_multiplier} (0.1 x mscale in f32, read back to 6
     * decimals so that 0.707 is 0.707 again). Absent or 0 (llama.cpp's own writer stores 0 for "not set") it is 1
     * without YaRN, where it has no effect; with YaRN, llama.cpp would then scale both the rotated dimensions and
     * the logits by YaRN's factor, which llmgraph's MLA does not, so the file is refused.
     */
    private static double mscale(ModelFile f, Positional.Rope rope) {
        double written = f.keys.floatOr("rope.scaling.yarn_log_multiplier", 0);
        if (written > 0) {
            return Math.round(written / 0.1 * 1e6) / 1e6;
        }
        if (yarn(rope)) {
            throw f.keys.problem("key '" + f.keys.key("rope.scaling.yarn_log_multiplier") + "' is missing or 0 with "
                    + "YaRN scaling; llmgraph's latent attention needs DeepSeek's mscale there (0.1 x mscale_all_dim)");
        }
        return 1.0;
    }

    /** Whether positions are RoPE scaled by YaRN. */
    private static boolean yarn(Positional positional) {
        return switch (positional) {
            case Positional.Rope rope -> rope.scaling().isYarn();
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> false;
        };
    }

    /** llama.cpp reads an expert_weights_scale of 0 as no scaling. */
    private static double nonZero(double scale) {
        return scale == 0 ? 1.0 : scale;
    }
}
