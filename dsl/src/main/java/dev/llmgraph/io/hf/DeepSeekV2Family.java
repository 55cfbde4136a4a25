package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * DeepseekV2Config ({@code model_type} deepseek_v2: DeepSeek-V2 and V2-Lite): a pre-RMSNorm decoder with multi-head
 * latent attention and, after {@code first_k_dense_replace} dense layers, a mixture of SwiGLU experts.
 * <pre>
 *  attention   q_lora_rank (null: queries projected directly, V2-Lite), kv_lora_rank, qk_nope_head_dim,
 *              qk_rope_head_dim, v_head_dim; RoPE on adjacent pairs of the RoPE dimensions (DeepSeek's code
 *              de-interleaves them before rotating halves, so nothing is permuted)
 *  YaRN        rope_scaling {type yarn, factor, original_max_position_embeddings, beta_fast, beta_slow, mscale,
 *              mscale_all_dim}: logits scaled by (0.1 mscale_all_dim ln factor + 1)^2, the rotated dimensions by
 *              the ratio of the mscale and mscale_all_dim factors, which must be 1 (mscale = mscale_all_dim)
 *  experts     n_routed_experts of moe_intermediate_size (null: every layer dense), num_experts_per_tok,
 *              n_shared_experts as one FFN, softmax scores; topk_method greedy (all experts) or
 *              group_limited_greedy (n_group groups ranked by their best expert, topk_group kept);
 *              norm_topk_prob renormalises (with k > 1), else the weights are scaled by routed_scaling_factor
 * </pre>
 */
final class DeepSeekV2Family implements HfFamily {
    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers");
        int heads = f.requiredSize("num_attention_heads", "heads");
        int kvHeads = f.optionalSize("num_key_value_heads", heads);
        if (kvHeads != heads) {
            throw f.error("num_key_value_heads", "field 'num_key_value_heads' = " + kvHeads + " differs from "
                    + "'num_attention_heads' = " + heads + ": DeepSeek-V2 rebuilds a key and a value for every head "
                    + "from its latent");
        }
        if (f.flag("attention_bias", false)) {
            throw f.error("attention_bias", "field 'attention_bias' = true: DeepSeek-V2's projections have no biases "
                    + "in llmgraph's latent attention; set it to false");
        }
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        int context = f.optionalSize("max_position_embeddings", 2048);
        if (!f.has("q_lora_rank") && !f.isExplicitNull("q_lora_rank")) {
            throw f.error("q_lora_rank", "field 'q_lora_rank' is missing; it sets the query's low rank (null projects "
                    + "queries directly, as DeepSeek-V2-Lite)");
        }
        int queryRank = f.has("q_lora_rank") ? f.requiredSize("q_lora_rank", "the query's low rank") : 0;
        Positional.Rope rope = HfRope.read(f, context, RopePairing.ADJACENT, true);
        LatentAttention latent = LatentAttention.of(heads, f.requiredSize("kv_lora_rank", "the latent's size"))
                .withHeadDims(f.requiredSize("qk_nope_head_dim", "the no-RoPE query/key dimensions per head"),
                        f.requiredSize("qk_rope_head_dim", "the RoPE dimensions per head"),
                        f.requiredSize("v_head_dim", "the value dimensions per head"))
                .withQueryRank(queryRank)
                .withYarnMscale(mscale(f, rope));
        Activation act = HfActivation.read(f, "hidden_act", "silu");
        return Transformer.causalDecoder(f.modelName(HfModelType.DEEPSEEK_V2.id()))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(latent.asMultiHead())
                .latentAttention(latent)
                .positional(rope)
                .norm(Norm.rms(f.number("rms_norm_eps", 1e-6)), NormPlacement.PRE)
                .ffn(new Ffn(act, true, f.requiredSize("intermediate_size", "the dense FFN's width"), false))
                .moe(DeepSeekV2Experts.read(f, act, layers))
                .tiedEmbeddings(f.flag("tie_word_embeddings", false))
                .build();
    }

    /** DeepSeek's mscale_all_dim under YaRN (1, which has no effect, without it). */
    private static double mscale(ConfigFields f, Positional.Rope rope) {
        ConfigFields scaling = HfRope.scalingFields(f);
        if (!rope.scaling().isYarn() || scaling == null) {
            return 1.0;
        }
        double all = scaling.number("mscale_all_dim", 0), own = scaling.number("mscale", 1);
        if (!(all > 0)) {
            throw scaling.error("mscale_all_dim", "field '" + scaling.qualified("mscale_all_dim") + "' = " + all
                    + " leaves DeepSeek's logits unscaled under YaRN, which llmgraph's latent attention does not "
                    + "express; DeepSeek-V2 uses 0.707");
        }
        if (own != all) {
            throw scaling.error("mscale", "field '" + scaling.qualified("mscale") + "' = " + own + " differs from '"
                    + scaling.qualified("mscale_all_dim") + "' = " + all + ": DeepSeek then scales the rotated "
                    + "dimensions by the ratio of their factors, which llmgraph's latent attention does not; "
                    + "DeepSeek-V2 sets both to 0.707");
        }
        return all;
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.DEEPSEEK_V2).common();
        if (!spec.latentAttention()) {
            return fit.problems();
        }
        fit.familyNorm();
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        switch (spec.positional()) {
            case Positional.Rope rope -> {
                fit.require(rope.pairing() == RopePairing.ADJACENT && rope.fraction() == 1.0, "positional", rope,
                        "rotates adjacent pairs of all qk_rope_head_dim dimensions");
                boolean yarnOrNone = switch (rope.scaling()) {
                    case RopeScaling.None _, RopeScaling.Yarn _ -> true;
                    case RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Llama3 _,
                         RopeScaling.LongRope _ -> false;
                };
                fit.require(yarnOrNone, "positional.scaling", rope.scaling(), "scales RoPE by YaRN or not at all");
            }
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> fit.require(false, "positional", spec.positional(), "uses RoPE");
        }
        fit.require(!spec.latent().flash(), "latent.flash", true, "has no flash-attention setting; write the spec "
                + "without it");
        Ffn ffn = spec.ffn();
        fit.require(ffn.gated() && !ffn.bias() && HfActivation.write(ffn.activation(), HfModelType.DEEPSEEK_V2)
                != null, "ffn", ffn, "has gated FFNs without biases and one hidden_act");
        DeepSeekV2Experts.mismatches(spec, fit);
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        LatentAttention l = spec.latent();
        Positional.Rope rope = (Positional.Rope) spec.positional();
        out.put("hidden_size", spec.dModel());
        out.put("num_hidden_layers", spec.layers());
        out.put("num_attention_heads", l.heads());
        out.put("num_key_value_heads", l.heads());
        out.put("attention_bias", false);
        out.put("vocab_size", spec.vocabSize());
        out.put("max_position_embeddings", spec.contextLength());
        if (l.queryRank() > 0) {
            out.put("q_lora_rank", l.queryRank());
        } else {
            out.putNull("q_lora_rank");
        }
        out.put("kv_lora_rank", l.kvRank());
        out.put("qk_nope_head_dim", l.nopeHeadDim());
        out.put("qk_rope_head_dim", l.ropeHeadDim());
        out.put("v_head_dim", l.valueHeadDim());
        HfRope.write(rope, spec.contextLength(), out);
        if (rope.scaling().isYarn()) {
            ((ObjectNode) out.get("rope_scaling")).put("mscale", l.yarnMscale()).put("mscale_all_dim", l.yarnMscale());
        }
        out.put("hidden_act", HfActivation.write(spec.ffn().activation(), HfModelType.DEEPSEEK_V2));
        out.put("intermediate_size", spec.ffnDim());
        out.put("rms_norm_eps", spec.norm().eps());
        out.put("tie_word_embeddings", spec.tiedEmbeddings());
        DeepSeekV2Experts.write(spec, out);
    }
}
