package dev.llmgraph.presets;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.Transformer;

/**
 * Published mixtures of experts (Mixtral, Qwen1.5-MoE, OLMoE, Qwen3-MoE) and latent-attention models (DeepSeek-V2) as specs,
 * each with its configuration as a source comment; {@link Presets} lists them with the others and makes their
 * test-size versions with {@link #tiny(LatentAttention)} and {@link #tiny(Moe)}.
 */
final class MoePresets {
    private MoePresets() {}

    /**
     * Mixtral-8x7B (mistralai/Mixtral-8x7B-v0.1 config.json): hidden_size 4096, intermediate_size 14336,
     * num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8, num_local_experts 8,
     * num_experts_per_tok 2 (softmax router, the two weights renormalised), max_position_embeddings 32768,
     * rms_norm_eps 1e-5, rope_theta 1e6, vocab_size 32000, untied. 46 702 792 704: the checkpoint's
     * model.safetensors.index.json total_size 93 405 585 408 bytes / 2 (bf16), which Mistral's announcement
     * rounds to 46.7B. Active per token: 12 879 925 248 (two experts of eight), Mistral's "12.9B".
     */
    static ModelSpec mixtral8x7b() {
        return Presets.llama("mixtral-8x7b")
                .vocabSize(32000).dModel(4096).layers(32).contextLength(32768)
                .attention(Attention.grouped(32, 8))
                .positional(Positional.rope(1_000_000))
                .moe(Moe.of(8, 2, Ffn.swiglu(14336)))
                .build();
    }

    /**
     * DeepSeek-V2-Lite (deepseek-ai/DeepSeek-V2-Lite config.json): hidden_size 2048, num_hidden_layers 27,
     * num_attention_heads 16, q_lora_rank null, kv_lora_rank 512, qk_nope_head_dim 128, qk_rope_head_dim 64,
     * v_head_dim 128, intermediate_size 10944 (the dense first layer: first_k_dense_replace 1),
     * n_routed_experts 64 of moe_intermediate_size 1408, num_experts_per_tok 6, n_shared_experts 2,
     * scoring_func softmax, norm_topk_prob false, routed_scaling_factor 1, topk_method greedy,
     * rms_norm_eps 1e-6, rope_theta 10000 with YaRN (factor 40, original_max_position_embeddings 4096,
     * mscale_all_dim 0.707), max_position_embeddings 163840, vocab_size 102400, untied.
     * 15 706 484 224 from this config, which the model card and the DeepSeek-V2 paper round to 15.7B.
     * Active per token: 2 661 150 208, of which 2 451 435 008 without the input embedding table (a lookup, not
     * a product), which the model card gives as "2.4B activated" (cut, not rounded, to one decimal).
     */
    static ModelSpec deepSeekV2Lite() {
        return deepSeekV2("deepseek-v2-lite", 2048, 27, 10944)
                .latentAttention(LatentAttention.of(16, 512).withYarnMscale(0.707))
                .moe(Moe.of(64, 6, Ffn.swiglu(1408)).withRouter(Router.softmax())
                        .withShared(SharedExperts.of(2, 1408)).withDenseLayers(1))
                .build();
    }

    /**
     * DeepSeek-V2 (deepseek-ai/DeepSeek-V2 config.json): hidden_size 5120, num_hidden_layers 60,
     * num_attention_heads 128, q_lora_rank 1536, kv_lora_rank 512, head dims as V2-Lite, intermediate_size 12288
     * (first_k_dense_replace 1), n_routed_experts 160 of moe_intermediate_size 1536, num_experts_per_tok 6,
     * n_shared_experts 2, softmax, norm_topk_prob false, routed_scaling_factor 16, rope and YaRN as V2-Lite,
     * vocab_size 102400, untied. 235 741 434 880 from this config: the paper's and the model card's "236B".
     * Active per token: 21 375 800 320, 20 851 512 320 without the input embedding table: the paper's "21B".
     * Routing as the checkpoint's topk_method group_limited_greedy: n_group 8, topk_group 3, so a token's 6 experts
     * come from the 3 groups of 20 whose best expert scores highest. llama.cpp ranks groups by their two best experts
     * instead, so this spec is refused as GGUF until the ranking is changed (GgufReport says so).
     */
    static ModelSpec deepSeekV2() {
        return deepSeekV2("deepseek-v2", 5120, 60, 12288)
                .latentAttention(LatentAttention.of(128, 512).withQueryRank(1536).withYarnMscale(0.707))
                .moe(Moe.of(160, 6, Ffn.swiglu(1536)).withRouter(Router.softmax().withScale(16)
                        .withGroups(ExpertGroups.of(8, 3).withRanking(ExpertGroups.Ranking.BEST_EXPERT)))
                        .withShared(SharedExperts.of(2, 1536)).withDenseLayers(1))
                .build();
    }

    /** What both DeepSeek-V2 sizes share: vocabulary, RMSNorm 1e-6, RoPE 10000 stretched 40 times by YaRN. */
    private static ModelBuilder deepSeekV2(String name, int dModel, int layers, int denseFfn) {
        return Transformer.causalDecoder(name)
                .vocabSize(102400).dModel(dModel).layers(layers).contextLength(163840)
                .positional(Positional.rope(10_000).withScaling(RopeScaling.yarn(40, 4096)))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(denseFfn));
    }

    /**
     * Qwen1.5-MoE-A2.7B (Qwen/Qwen1.5-MoE-A2.7B config.json): hidden_size 2048, num_hidden_layers 24,
     * num_attention_heads 16, num_key_value_heads 16, q/k/v biases, num_experts 60 of moe_intermediate_size
     * 1408, num_experts_per_tok 4, norm_topk_prob false, shared_expert_intermediate_size 5632 behind a sigmoid
     * gate (one FFN as wide as 4 routed experts: the Qwen blog's "4 shared experts"), every layer sparse,
     * rms_norm_eps 1e-6, rope_theta 1e6 (NeoX halves), max_position_embeddings 8192, vocab_size 151936,
     * untied. 14 315 784 192 from this config: the model card's "14.3B". Active per token: 2 689 173 504
     * (the card's "2.7B"), 2 066 843 648 without the embedding and output tables (the blog's 2.0B non-embedding).
     */
    static ModelSpec qwen15MoeA27b() {
        return Transformer.causalDecoder("qwen1.5-moe-a2.7b")
                .vocabSize(151936).dModel(2048).layers(24).contextLength(8192)
                .attention(Attention.multiHead(16).withBias(true, false))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .moe(Moe.of(60, 4, Ffn.swiglu(1408)).withRouter(Router.softmax())
                        .withShared(SharedExperts.of(4, 1408).withSigmoidGate(true)))
                .build();
    }

    /**
     * OLMoE-1B-7B (allenai/OLMoE-1B-7B-0924 config.json): hidden_size 2048, num_hidden_layers 16,
     * num_attention_heads 16, num_key_value_heads 16, no attention biases, q_norm and k_norm RMSNorms over the
     * whole query and key projections (2048 values each: {@link QkNorm#WHOLE_WIDTH}), num_experts 64 of
     * intermediate_size 1024, num_experts_per_tok 8, norm_topk_prob false, rms_norm_eps 1e-5, rope_theta 10000
     * (NeoX halves), max_position_embeddings 4096, vocab_size 50304, untied. 6 919 161 856 from this config, the
     * paper's (arXiv 2409.02060) "6.9B total"; active per token 1 282 017 280, its "1.3B active", and
     * 1 178 994 688 without the input embedding table.
     */
    static ModelSpec olmoe1b7b() {
        return Transformer.causalDecoder("olmoe-1b-7b")
                .vocabSize(50304).dModel(2048).layers(16).contextLength(4096)
                .attention(Attention.multiHead(16).withQkNorm(QkNorm.WHOLE_WIDTH))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .moe(Moe.of(64, 8, Ffn.swiglu(1024)).withRouter(Router.softmax()))
                .build();
    }

    /**
     * Qwen3-30B-A3B (Qwen/Qwen3-30B-A3B config.json): hidden_size 2048, num_hidden_layers 48, num_attention_heads 32
     * of head_dim 128 (q twice as wide as the stream), num_key_value_heads 4, q and k RMS-normalised per head (q_norm,
     * k_norm), no biases, num_experts 128 of moe_intermediate_size 768, num_experts_per_tok 8, norm_topk_prob true, no
     * shared experts, mlp_only_layers [] (intermediate_size 6144 for a dense layer, of which it has none),
     * rms_norm_eps 1e-6, rope_theta 1000000 (rotating halves), max_position_embeddings 40960, vocab_size 151936,
     * untied. 30 532 122 624 from this config, the model card's "30.5B in total"; 3 353 032 704 active per token, its
     * "3.3B activated" (cut, not rounded).
     */
    static ModelSpec qwen3_30bA3b() {
        return Transformer.causalDecoder("qwen3-30b-a3b")
                .vocabSize(151936).dModel(2048).layers(48).contextLength(40960)
                .attention(Attention.grouped(32, 4).withHeadDim(128).withQkNorm(QkNorm.PER_HEAD))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(6144))
                .moe(Moe.of(128, 8, Ffn.swiglu(768)))
                .build();
    }

    /** 4 heads over a latent of 16, head dims of 8; a low-rank query (of 16) stays if there was one. */
    static LatentAttention tiny(LatentAttention full) {
        return LatentAttention.of(4, 16).withHeadDims(8, 8, 8).withQueryRank(full.queryRank() > 0 ? 16 : 0)
                .withYarnMscale(full.yarnMscale()).withFlash(full.flash());
    }

    /**
     * At most 8 experts of width 16, at most 2 per token, shared ones of width 16, at most 1 dense layer, routing on
     * the same period of layers; grouped experts in 2 groups of which a token keeps 1, ranked as the full model
     * ranks them.
     */
    static Moe tiny(Moe full) {
        int experts = Math.min(full.experts(), 8);
        ExpertGroups groups = full.router().groups();
        boolean grouped = groups.present() && experts >= 4 && experts % 2 == 0;
        Moe moe = Moe.of(experts, Math.min(full.expertsPerToken(), 2), full.expert().withWidth(16))
                .withRouter(full.router().withGroups(grouped ? ExpertGroups.of(2, 1).withRanking(groups.ranking())
                        : ExpertGroups.none()))
                .withDenseLayers(Math.min(full.denseLayers(), 1));
        if (!full.routesEveryLayer()) {
            moe = moe.withSparseEvery(full.sparseLayers().every(), full.sparseLayers().offset());
        }
        SharedExperts shared = full.shared();
        return shared.present()
                ? moe.withShared(SharedExperts.of(shared.count(), 16).withSigmoidGate(shared.sigmoidGate())) : moe;
    }
}
