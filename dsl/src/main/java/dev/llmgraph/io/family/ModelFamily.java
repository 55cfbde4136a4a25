package dev.llmgraph.io.family;

import dev.llmgraph.io.family.FamilyFacts.Bias;
import dev.llmgraph.io.family.FamilyFacts.Embeddings;
import dev.llmgraph.io.family.FamilyFacts.Experts;
import dev.llmgraph.io.family.FamilyFacts.Experts.Presence;
import dev.llmgraph.io.family.FamilyFacts.Mixer;
import dev.llmgraph.io.family.FamilyFacts.OutputHead;
import dev.llmgraph.io.family.FamilyFacts.Positions;
import dev.llmgraph.io.family.FamilyFacts.QkvTensors;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.Router;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import static dev.llmgraph.spec.RopePairing.ADJACENT;
import static dev.llmgraph.spec.RopePairing.HALVES;

/**
 * The model families llmgraph writes and reads, one per llama.cpp architecture, each with its {@link FamilyFacts}
 * stated once, in the order a spec is tried against them. The facts follow the pinned llama.cpp's
 * {@code src/models/<name>.cpp} (the graph), {@code llama-model.cpp} (which tensors it loads) and
 * {@code convert_hf_to_gguf.py} (how a Hugging Face checkpoint becomes the file).
 */
public enum ModelFamily {
    /**
     * llama: RoPE on adjacent pairs over whole heads (the converter permutes HF's W_q and W_k rows so that this
     * equals their rotate-half), with Llama 3.1's scaling as the per-pair divisors of rope_freqs or LongRoPE's as
     * rope_factors_short and rope_factors_long, optional biases on every projection, no sliding window. With
     * {@code llama.expert_count} it is Mixtral: every layer routes to SwiGLU experts as wide as
     * feed_forward_length, by softmax, top-k, weights renormalised.
     */
    LLAMA(FamilyFacts.decoder("llama").hf("llama", "mistral", "mixtral")
            .anyAttentionWidth()
            .attentionBiases(Bias.OPTIONAL, Bias.OPTIONAL)
            .ffn(Activation.SILU, true, Bias.OPTIONAL)
            .experts(new Experts(Presence.OPTIONAL, Router.softmaxRenormalised(), false, true))
            .ropeWithFrequencyDivisors()),
    /** qwen2: LLaMA's block with RoPE on halves (NeoX) and biases on q, k and v only. */
    QWEN2(FamilyFacts.decoder("qwen2").hf("qwen2")
            .rope(HALVES, true)
            .refuse("output.bias", "a bias on the output head")),
    /**
     * qwen3: Qwen2's block without biases, q and k RMS-normalised per head (attn_q_norm, attn_k_norm of head size)
     * before RoPE on halves, heads of any size (Qwen3-0.6B: 16 heads of 128 in a width of 1024).
     */
    QWEN3(FamilyFacts.decoder("qwen3").hf("qwen3")
            .rope(HALVES, true)
            .qkNorm(QkNorm.PER_HEAD)
            .anyAttentionWidth()
            .attentionBiases(Bias.ABSENT, Bias.ABSENT)
            .refuse("output.bias", "a bias on the output head")),
    /**
     * qwen2moe: Qwen2's attention, then in every layer SwiGLU experts routed by softmax and top-k without
     * renormalising, plus a shared SwiGLU expert scaled by {@code sigmoid(ffn_gate_inp_shexp . x)}.
     */
    QWEN2MOE(FamilyFacts.decoder("qwen2moe").hf("qwen2_moe")
            .rope(HALVES, true)
            .experts(new Experts(Presence.EVERY_LAYER, Router.softmax(), true, false))
            .outputHead(OutputHead.NEVER_TIED)
            .refuse("output.bias", "a bias on the output head")),
    /**
     * olmoe: q and k RMS-normalised over the whole projection before RoPE on halves; every layer routes to
     * SwiGLU experts as wide as feed_forward_length by softmax and top-k, without renormalising.
     */
    OLMOE(FamilyFacts.decoder("olmoe").hf("olmoe")
            .rope(HALVES, true)
            .qkNorm(QkNorm.WHOLE_WIDTH)
            .experts(new Experts(Presence.EVERY_LAYER, Router.softmax(), false, true))
            .outputHead(OutputHead.NEVER_TIED)
            .refuse("output.bias", "a bias on the output head")),
    /**
     * qwen3moe: Qwen3's attention (q and k RMS-normalised per head, heads of any width, no biases), then in every
     * layer SwiGLU experts of expert_feed_forward_length routed by softmax and top-k, weights renormalised; no shared
     * experts.
     */
    QWEN3MOE(FamilyFacts.decoder("qwen3moe").hf("qwen3_moe")
            .rope(HALVES, true)
            .qkNorm(QkNorm.PER_HEAD)
            .anyAttentionWidth()
            .attentionBiases(Bias.ABSENT, Bias.ABSENT)
            .experts(new Experts(Presence.EVERY_LAYER, Router.softmaxRenormalised(), false, false))
            .refuse("output.bias", "a bias on the output head")),
    /**
     * deepseek2 (DeepSeek-V2 and V2-Lite): latent attention in its absorbed form, RoPE on adjacent pairs of the
     * RoPE dimensions, SwiGLU, then experts by DeepSeek's own rules (dense layers first, shared experts).
     */
    DEEPSEEK2(FamilyFacts.decoder("deepseek2").hf("deepseek_v2")
            .mixer(Mixer.LATENT)
            .experts(new Experts(Presence.OWN_RULES, null, false, false))
            .refuse("blk.0.attn_kv_b.weight", "the unsplit W_UK|W_UV of old deepseek2 files (re-convert them)")),
    /**
     * gemma2: embeddings scaled by sqrt(dModel), RMSNorm before and after each sublayer, RoPE on halves (the sliding
     * layers' base may differ), soft-capped attention and output logits, GeGLU with the tanh approximation, the
     * output head always the token embedding.
     */
    GEMMA2(FamilyFacts.decoder("gemma2").hf("gemma2")
            .embeddings(Embeddings.SCALED_BY_SQRT_DMODEL)
            .placement(NormPlacement.SANDWICH)
            .ropeWithSlidingBase(HALVES, false)
            .anyAttentionWidth()
            .softCapped()
            .ffn(Activation.GELU_TANH, true, Bias.ABSENT)
            .outputHead(OutputHead.ALWAYS_TIED)),
    /**
     * gemma3: Gemma 2's block (scaled embeddings, RMSNorm before and after each sublayer, RoPE on halves, GeGLU with
     * the tanh approximation) with q and k RMS-normalised per head in place of the attention soft-cap; the sliding
     * layers (five of every six) rotate with a RoPE base of their own, unscaled; the output head tied or its own.
     */
    GEMMA3(FamilyFacts.decoder("gemma3").hf("gemma3_text")
            .embeddings(Embeddings.SCALED_BY_SQRT_DMODEL)
            .placement(NormPlacement.SANDWICH)
            .ropeWithSlidingBase(HALVES, false)
            .qkNorm(QkNorm.PER_HEAD)
            .scaledQueries()
            .anyAttentionWidth()
            .ffn(Activation.GELU_TANH, true, Bias.ABSENT)),
    /**
     * chatglm (ChatGLM2/3, GLM-4): RoPE on adjacent pairs of the first rope.dimension_count dimensions, biases on
     * q, k and v only, SwiGLU with gate and up fused in one ffn_up (gate first); q, k, v written fused.
     */
    CHATGLM(FamilyFacts.decoder("chatglm")
            .rope(ADJACENT, false)
            .qkv(QkvTensors.FUSED_OR_SEPARATE)
            .gateUpFused()),
    /**
     * phi2 (Phi-2, Phi-1.5): one LayerNorm feeding attention and an MLP in parallel (GPT-J's block), RoPE on halves of
     * the first rope.dimension_count dimensions of each head, biases everywhere, a tanh-GELU MLP, q scaled before q.k,
     * and a bias on the output head.
     */
    PHI2(FamilyFacts.decoder("phi2").hf("phi")
            .layerNormWithBias()
            .parallelBlock()
            .rope(HALVES, false)
            .attentionBiases(Bias.REQUIRED, Bias.REQUIRED)
            .ffn(Activation.GELU_TANH, false, Bias.REQUIRED)
            .qkv(QkvTensors.FUSED_OR_SEPARATE)
            .scaledQueries()
            .outputHead(OutputHead.NEVER_TIED)
            .outputBias(Bias.REQUIRED)),
    /**
     * phi3 (Phi-3, Phi-3.5-mini, Phi-4-mini): LLaMA's block with RoPE on halves (over part of each head in
     * Phi-4-mini), LongRoPE's two sets of per-pair divisors in the 128k-context models (rope_factors_short and
     * rope_factors_long), q, k and v in one attn_qkv (or apart), gate and up fused in one ffn_up (gate first), q scaled
     * before q.k, the output head tied where the file has no output.weight (Phi-4-mini). llama.cpp turns off the
     * sliding window a file may give (attention.sliding_window), so llmgraph reads none.
     */
    PHI3(FamilyFacts.decoder("phi3").hf("phi3")
            .ropeWithLongRopeFactors(HALVES, false)
            .qkv(QkvTensors.FUSED_OR_SEPARATE)
            .gateUpFused()
            .scaledQueries()),
    /** gpt2: learned positions, LayerNorm with bias, biases everywhere, attn_qkv, a tanh-GELU MLP. */
    GPT2(FamilyFacts.decoder("gpt2").hf("gpt2")
            .positions(new Positions.Learned())
            .layerNormWithBias()
            .attentionBiases(Bias.REQUIRED, Bias.REQUIRED)
            .ffn(Activation.GELU_TANH, false, Bias.REQUIRED)
            .qkv(QkvTensors.FUSED)),
    /** bloom: a LayerNorm after the embedding lookup, ALiBi with max bias 8 (fixed in the loader), else GPT-2's. */
    BLOOM(FamilyFacts.decoder("bloom").hf("bloom")
            .embeddings(Embeddings.LAYER_NORMED)
            .positions(new Positions.Alibi(8.0))
            .layerNormWithBias()
            .attentionBiases(Bias.REQUIRED, Bias.REQUIRED)
            .ffn(Activation.GELU_TANH, false, Bias.REQUIRED)
            .qkv(QkvTensors.FUSED)),
    /**
     * falcon (Falcon-7B's shape): one LayerNorm feeding attention and the FFN in parallel, RoPE on halves, no
     * biases, attn_qkv, a tanh-GELU MLP (HF's Falcon uses exact GELU).
     */
    FALCON(FamilyFacts.decoder("falcon").hf("falcon")
            .layerNormWithBias()
            .parallelBlock()
            .rope(HALVES, true)
            .attentionBiases(Bias.ABSENT, Bias.ABSENT)
            .ffn(Activation.GELU_TANH, false, Bias.ABSENT)
            .qkv(QkvTensors.FUSED)
            .refuse("blk.0.attn_norm_2.weight", "Falcon-40B's second norm (one for attention, one for the FFN)")),
    /** mamba (Mamba-1): blocks x + Mamba(RMSNorm(x)), no FFN, no positions, expansion factor 2. */
    MAMBA(FamilyFacts.decoder("mamba")
            .mixer(Mixer.MAMBA)
            .positions(new Positions.FromRecurrence())
            .noFfn()),
    /** mamba2: blocks x + Mamba2(RMSNorm(x)), no FFN, no positions. */
    MAMBA2(FamilyFacts.decoder("mamba2")
            .mixer(Mixer.MAMBA2)
            .positions(new Positions.FromRecurrence())
            .noFfn()),
    /**
     * jamba ({@code src/models/jamba.cpp}, {@code mamba-base.cpp}): blocks {@code x + M(RMSNorm(x))},
     * {@code x + F(RMSNorm(x))}; M is Mamba with RMSNorms on dt, B and C (their gains {@code ssm_dt_norm},
     * {@code ssm_b_norm}, {@code ssm_c_norm}) on the layers whose {@code attention.head_count_kv} entry is 0, softmax
     * attention without positions and without biases elsewhere; F is SwiGLU, or, on the layers that have
     * {@code ffn_gate_inp}, SwiGLU experts as wide as feed_forward_length routed by softmax and top-k without
     * renormalising. A final RMSNorm, an optional output head.
     */
    JAMBA(FamilyFacts.decoder("jamba")
            .mixer(Mixer.MAMBA_ATTENTION_HYBRID)
            .positions(new Positions.FromRecurrence())
            .attentionBiases(Bias.ABSENT, Bias.ABSENT)
            .experts(new Experts(Presence.OWN_RULES, Router.softmax(), false, true))),
    /**
     * rwkv6 (Finch; {@code src/models/rwkv6.cpp} and {@code rwkv6-base.cpp}): a LayerNorm after the embedding
     * lookup ({@code token_embd_norm}), blocks {@code x + TimeMix(LayerNorm(x))}, {@code x + ChannelMix(LayerNorm(x))}
     * (the second norm is {@code attn_norm_2}), a final LayerNorm and its own output head; no positions.
     */
    RWKV6(FamilyFacts.decoder("rwkv6")
            .mixer(Mixer.RWKV6)
            .embeddings(Embeddings.LAYER_NORMED)
            .layerNormWithBias()
            .positions(new Positions.FromRecurrence())
            .noFfn()
            .outputHead(OutputHead.NEVER_TIED)),
    /**
     * rwkv7 (Goose; {@code src/models/rwkv7.cpp} and {@code rwkv7-base.cpp}): rwkv6's block layout with RWKV-7's
     * time mixing. Layer 0 has no value residual, but llama.cpp loads its v0, v1, v2 and never uses them; the
     * converter writes a0, a1, a2 there again, and so does llmgraph.
     */
    RWKV7(FamilyFacts.decoder("rwkv7")
            .mixer(Mixer.RWKV7)
            .embeddings(Embeddings.LAYER_NORMED)
            .layerNormWithBias()
            .positions(new Positions.FromRecurrence())
            .noFfn()
            .outputHead(OutputHead.NEVER_TIED)
            .copy("blk.0.time_mix_v0.weight", "blk.0.time_mix_a0.weight")
            .copy("blk.0.time_mix_v1.weight", "blk.0.time_mix_a1.weight")
            .copy("blk.0.time_mix_v2.weight", "blk.0.time_mix_a2.weight")),
    /**
     * bert ({@code src/models/bert.cpp}): token embeddings plus token type 0's row (llama.cpp gives every token
     * type 0) plus learned absolute positions, then an embedding LayerNorm; each block attends bidirectionally,
     * adds the residual, normalises ({@code attn_output_norm}), runs a tanh-GELU MLP ({@code ggml_gelu}), adds the
     * residual and normalises again ({@code layer_output_norm}): post-LN, no final norm. Its output is the hidden
     * states, pooled as {@code bert.pooling_type} says ({@code build_pooling} in {@code src/llama-graph.cpp}), the
     * pooled vector not normalised.
     */
    BERT(FamilyFacts.decoder("bert").hf("bert")
            .encoder()
            .positions(new Positions.Learned())
            .embeddings(Embeddings.LAYER_NORMED)
            .layerNormWithBias()
            .attentionBiases(Bias.OPTIONAL, Bias.OPTIONAL)
            .ffn(Activation.GELU_TANH, false, Bias.OPTIONAL)
            .rename("attn_norm", "attn_output_norm")
            .rename("ffn_norm", "layer_output_norm")),
    /**
     * nomic-bert ({@code src/models/nomic-bert.cpp}, which builds bert.cpp's graph): BERT with RoPE on halves (NeoX,
     * as {@code llama_model_rope_type} says) instead of a position table and a SwiGLU FFN without biases (llama.cpp
     * loads {@code ffn_up.bias} and {@code ffn_down.bias} but this graph does not add them).
     */
    NOMIC_BERT(FamilyFacts.decoder("nomic-bert")
            .encoder()
            .rope(HALVES, true)
            .embeddings(Embeddings.LAYER_NORMED)
            .layerNormWithBias()
            .attentionBiases(Bias.OPTIONAL, Bias.OPTIONAL)
            .ffn(Activation.SILU, true, Bias.ABSENT)
            .rename("attn_norm", "attn_output_norm")
            .rename("ffn_norm", "layer_output_norm"));

    private final FamilyFacts facts;

    ModelFamily(FamilyFacts.Builder facts) {
        this.facts = facts.build();
    }

    public FamilyFacts facts() {
        return facts;
    }

    /** llama.cpp's name, the value of {@code general.architecture}. */
    public String llamaCpp() {
        return facts.llamaCpp();
    }

    /**
     * The llama.cpp names of the families whose facts {@code which} accepts, in order, as "llama, qwen2, ... and
     * nomic-bert", for messages and help: every family ({@code f -> true}), the decoders ({@code f -> !f.encoder()}),
     * the ones with experts.
     */
    public static String names(Predicate<FamilyFacts> which) {
        List<String> names = Arrays.stream(values()).filter(f -> which.test(f.facts)).map(ModelFamily::llamaCpp)
                .toList();
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }

    /** The family llama.cpp calls {@code name}, or null. */
    public static ModelFamily named(String name) {
        return Arrays.stream(values()).filter(f -> f.llamaCpp().equals(name)).findFirst().orElse(null);
    }

    /** The family whose facts list the HF {@code model_type} {@code id}, or null. */
    public static ModelFamily ofHfModelType(String id) {
        return Arrays.stream(values()).filter(f -> f.facts.hfModelTypes().contains(id)).findFirst().orElse(null);
    }

    /** Whether blocks mix positions with a recurrence (a state space, RWKV) rather than attention. */
    public boolean recurrent() {
        return switch (facts.mixer()) {
            case MAMBA, MAMBA2, RWKV6, RWKV7, MAMBA_ATTENTION_HYBRID -> true;
            case SOFTMAX, LATENT -> false;
        };
    }
}
