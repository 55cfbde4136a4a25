package dev.llmgraph.presets;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Transformer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Published architectures, each with its configuration as a source comment. Each preset's parameter
 * count equals the released checkpoint's (a test checks every one).
 */
public final class Presets {
    private Presets() {}

    /**
     * GPT-2 small (openai-community/gpt2 config.json): n_embd 768, n_layer 12, n_head 12, n_positions
     * 1024, vocab_size 50257, activation gelu_new, layer_norm_epsilon 1e-5, tied lm_head. 124 439 808.
     */
    public static ModelSpec gpt2Small() {
        return gpt2("gpt2-small").dModel(768).layers(12)
                .attention(Attention.multiHead(12).withBias(true))
                .ffn(Ffn.mlp(4 * 768, Activation.GELU_TANH))
                .build();
    }

    /** GPT-2 medium (openai-community/gpt2-medium): n_embd 1024, n_layer 24, n_head 16. 354 823 168. */
    public static ModelSpec gpt2Medium() {
        return gpt2("gpt2-medium").dModel(1024).layers(24)
                .attention(Attention.multiHead(16).withBias(true))
                .ffn(Ffn.mlp(4 * 1024, Activation.GELU_TANH))
                .build();
    }

    /** What every GPT-2 size shares: the vocabulary, 1024 learned positions, pre-LayerNorm, tied embeddings. */
    private static ModelBuilder gpt2(String name) {
        return Transformer.causalDecoder(name)
                .vocabSize(50257).contextLength(1024)
                .positional(Positional.learned())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .tiedEmbeddings(true);
    }

    /**
     * LLaMA-2-7B (meta-llama/Llama-2-7b-hf config.json): hidden_size 4096, intermediate_size 11008,
     * num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 32, max_position_embeddings 4096,
     * rms_norm_eps 1e-5, rope_theta 10000, vocab_size 32000, untied. 6 738 415 616.
     */
    public static ModelSpec llama2_7b() {
        return llama("llama-2-7b")
                .vocabSize(32000).dModel(4096).layers(32).contextLength(4096)
                .attention(Attention.multiHead(32))
                .positional(Positional.rope(10_000))
                .ffn(Ffn.swiglu(11008))
                .build();
    }

    /**
     * LLaMA-3-8B (meta-llama/Meta-Llama-3-8B config.json): hidden_size 4096, intermediate_size 14336,
     * num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8, max_position_embeddings 8192,
     * rms_norm_eps 1e-5, rope_theta 500000, vocab_size 128256, untied. 8 030 261 248.
     */
    public static ModelSpec llama3_8b() {
        return llama("llama-3-8b")
                .vocabSize(128256).dModel(4096).layers(32).contextLength(8192)
                .attention(Attention.grouped(32, 8))
                .positional(Positional.rope(500_000))
                .ffn(Ffn.swiglu(14336))
                .build();
    }

    /**
     * Llama-3.2-1B (meta-llama/Llama-3.2-1B config.json): hidden_size 2048, intermediate_size 8192,
     * num_hidden_layers 16, num_attention_heads 32, num_key_value_heads 8, head_dim 64, max_position_embeddings
     * 131072, rms_norm_eps 1e-5, rope_theta 500000 with rope_scaling llama3 (factor 32, low_freq_factor 1,
     * high_freq_factor 4, original_max_position_embeddings 8192), vocab_size 128256, tied. 1 235 814 400.
     */
    public static ModelSpec llama32_1b() {
        return llama("llama-3.2-1b")
                .vocabSize(128256).dModel(2048).layers(16).contextLength(131072)
                .attention(Attention.grouped(32, 8))
                .positional(Positional.rope(500_000).withScaling(RopeScaling.llama3(32, 8192)))
                .ffn(Ffn.swiglu(8192))
                .tiedEmbeddings(true)
                .build();
    }

    /**
     * TinyLlama-1.1B (TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T config.json): hidden_size 2048,
     * intermediate_size 5632, num_hidden_layers 22, num_attention_heads 32, num_key_value_heads 4,
     * max_position_embeddings 2048, rms_norm_eps 1e-5, rope_theta 10000, vocab_size 32000. 1 100 048 384.
     */
    public static ModelSpec tinyLlama1_1b() {
        return llama("tinyllama-1.1b")
                .vocabSize(32000).dModel(2048).layers(22).contextLength(2048)
                .attention(Attention.grouped(32, 4))
                .positional(Positional.rope(10_000))
                .ffn(Ffn.swiglu(5632))
                .build();
    }

    /** What the LLaMA family shares: RMSNorm (eps 1e-5) before each sublayer, untied embeddings. */
    static ModelBuilder llama(String name) {
        return Transformer.causalDecoder(name)
                .norm(Norm.rms(1e-5), NormPlacement.PRE);
    }

    /**
     * Mistral-7B v0.1 (mistralai/Mistral-7B-v0.1 config.json): hidden_size 4096, intermediate_size 14336,
     * num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8, sliding_window 4096,
     * max_position_embeddings 32768, rms_norm_eps 1e-5, rope_theta 10000, vocab_size 32000, untied.
     * 7 241 732 096.
     */
    public static ModelSpec mistral7b() {
        return llama("mistral-7b")
                .vocabSize(32000).dModel(4096).layers(32).contextLength(32768)
                .attention(Attention.grouped(32, 8).withSlidingWindow(4096))
                .positional(Positional.rope(10_000))
                .ffn(Ffn.swiglu(14336))
                .build();
    }

    /**
     * Qwen3-0.6B (Qwen/Qwen3-0.6B config.json): hidden_size 1024, intermediate_size 3072, num_hidden_layers 28,
     * num_attention_heads 16 of head_dim 128 (wider than the stream: 2048 values of q), num_key_value_heads 8,
     * q and k RMS-normalised per head (q_norm, k_norm), no biases, max_position_embeddings 40960, rms_norm_eps 1e-6,
     * rope_theta 1000000 (rotating halves), vocab_size 151936, tied. 596 049 920.
     */
    public static ModelSpec qwen3_06b() {
        return Transformer.causalDecoder("qwen3-0.6b")
                .vocabSize(151936).dModel(1024).layers(28).contextLength(40960)
                .attention(Attention.grouped(16, 8).withHeadDim(128).withQkNorm(QkNorm.PER_HEAD))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(3072))
                .tiedEmbeddings(true)
                .build();
    }

    /** Gemma-2-2B: see {@link GemmaPresets#gemma2_2b()}. */
    public static ModelSpec gemma2_2b() {
        return GemmaPresets.gemma2_2b();
    }

    /** Gemma-3-270M: see {@link GemmaPresets#gemma3_270m()}. */
    public static ModelSpec gemma3_270m() {
        return GemmaPresets.gemma3_270m();
    }

    /** Gemma-3-1B: see {@link GemmaPresets#gemma3_1b()}. */
    public static ModelSpec gemma3_1b() {
        return GemmaPresets.gemma3_1b();
    }

    /** Gemma-3-4B's text model: see {@link GemmaPresets#gemma3_4b()}. */
    public static ModelSpec gemma3_4b() {
        return GemmaPresets.gemma3_4b();
    }

    /** Gemma-3-12B's text model: see {@link GemmaPresets#gemma3_12b()}. */
    public static ModelSpec gemma3_12b() {
        return GemmaPresets.gemma3_12b();
    }

    /** Gemma-3-27B's text model: see {@link GemmaPresets#gemma3_27b()}. */
    public static ModelSpec gemma3_27b() {
        return GemmaPresets.gemma3_27b();
    }

    /** Phi-2: see {@link PhiPresets#phi2()}. */
    public static ModelSpec phi2() {
        return PhiPresets.phi2();
    }

    /** Phi-3-mini-4k: see {@link PhiPresets#phi3Mini4k()}. */
    public static ModelSpec phi3Mini4k() {
        return PhiPresets.phi3Mini4k();
    }

    /** Phi-3.5-mini, with LongRoPE: see {@link PhiPresets#phi35Mini()}. */
    public static ModelSpec phi35Mini() {
        return PhiPresets.phi35Mini();
    }

    /** Phi-4-mini, with LongRoPE over 3/4 of each head: see {@link PhiPresets#phi4Mini()}. */
    public static ModelSpec phi4Mini() {
        return PhiPresets.phi4Mini();
    }

    /**
     * BLOOM-560m (bigscience/bloom-560m config.json): hidden_size 1024, n_layer 24, n_head 16, vocab_size
     * 250880, layer_norm_epsilon 1e-5, ALiBi, word_embeddings_layernorm, GELU (tanh), biases everywhere,
     * tied lm_head; trained with sequences of 2048. 559 214 592.
     */
    public static ModelSpec bloom560m() {
        return Transformer.causalDecoder("bloom-560m")
                .vocabSize(250880).dModel(1024).layers(24).contextLength(2048)
                .attention(Attention.multiHead(16).withBias(true))
                .positional(Positional.alibi())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(4096, Activation.GELU_TANH))
                .embeddings(Embeddings.tiedWeights().withLayerNorm(true))
                .build();
    }

    /**
     * Falcon-7B (tiiuae/falcon-7b config.json): hidden_size 4544, num_hidden_layers 32,
     * num_attention_heads 71, multi_query (1 K/V head of 64), parallel_attn with one input_layernorm,
     * bias false, GELU MLP of 4 x 4544, layer_norm_epsilon 1e-5, rotary (NeoX pairing), vocab_size 65024,
     * tied lm_head, 2048 positions. 6 921 720 704.
     */
    public static ModelSpec falcon7b() {
        return Transformer.causalDecoder("falcon-7b")
                .vocabSize(65024).dModel(4544).layers(32).contextLength(2048)
                .attention(Attention.multiQuery(71).withHeadDim(64))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(4 * 4544, Activation.GELU).withBias(false))
                .parallelBlock(true)
                .tiedEmbeddings(true)
                .build();
    }

    /**
     * ChatGLM2-6B (THUDM/chatglm2-6b config.json): hidden_size 4096, num_layers 28, num_attention_heads
     * 32, multi_query_group_num 2 (K/V heads), kv_channels 128, ffn_hidden_size 13696 (SwiGLU),
     * add_qkv_bias true, add_bias_linear false, RMSNorm eps 1e-5, rotary on half of each head,
     * padded_vocab_size 65024, seq_length 32768, separate output_layer. 6 243 584 000.
     */
    public static ModelSpec chatglm2_6b() {
        return Transformer.causalDecoder("chatglm2-6b")
                .vocabSize(65024).dModel(4096).layers(28).contextLength(32768)
                .attention(Attention.grouped(32, 2).withHeadDim(128).withBias(true, false))
                .positional(Positional.rope(10_000).withFraction(0.5))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(13696))
                .build();
    }

    /**
     * ChatGLM-6B (THUDM/chatglm-6b config.json): hidden_size 4096, num_layers 28, num_attention_heads 32,
     * inner_hidden_size 16384 (GELU), LayerNorm eps 1e-5, biases on all projections, vocab_size 130528,
     * max_sequence_length 2048, tied lm_head. A GLM prefix decoder (bidirectional over the prompt). Two
     * approximations, which leave the parameter count exact but would not reproduce the released weights'
     * outputs: GLM's residual is {@code alpha * N(x) + F(N(x))} with alpha = sqrt(2 x 28), taken from the
     * normalised input, while DEEPNORM here is DeepNet's {@code N(alpha * x + F(x))} with alpha = (2 x 28)^(1/4);
     * and its 2-d RoPE (position and block position, one per half of each head) is plain RoPE on halves.
     * 6 173 286 400.
     */
    public static ModelSpec chatglm6b() {
        return Transformer.prefixDecoder("chatglm-6b")
                .vocabSize(130528).dModel(4096).layers(28).contextLength(2048)
                .attention(Attention.multiHead(32).withBias(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.layer(1e-5), NormPlacement.DEEPNORM)
                .ffn(Ffn.mlp(16384, Activation.GELU))
                .finalNorm(true)
                .tiedEmbeddings(true)
                .build();
    }

    /** Mixtral-8x7B: see {@link MoePresets#mixtral8x7b()}. */
    public static ModelSpec mixtral8x7b() {
        return MoePresets.mixtral8x7b();
    }

    /** DeepSeek-V2-Lite: see {@link MoePresets#deepSeekV2Lite()}. */
    public static ModelSpec deepSeekV2Lite() {
        return MoePresets.deepSeekV2Lite();
    }

    /** DeepSeek-V2: see {@link MoePresets#deepSeekV2()}. */
    public static ModelSpec deepSeekV2() {
        return MoePresets.deepSeekV2();
    }

    /** Qwen1.5-MoE-A2.7B: see {@link MoePresets#qwen15MoeA27b()}. */
    public static ModelSpec qwen15MoeA27b() {
        return MoePresets.qwen15MoeA27b();
    }

    /** Qwen3-30B-A3B: see {@link MoePresets#qwen3_30bA3b()}. */
    public static ModelSpec qwen3_30bA3b() {
        return MoePresets.qwen3_30bA3b();
    }

    /** OLMoE-1B-7B: see {@link MoePresets#olmoe1b7b()}. */
    public static ModelSpec olmoe1b7b() {
        return MoePresets.olmoe1b7b();
    }

    /** Every full-size preset with attention by name (the state space ones: {@link #stateSpace()}). */
    public static Map<String, Supplier<ModelSpec>> all() {
        Map<String, Supplier<ModelSpec>> all = new LinkedHashMap<>();
        all.put("gpt2-small", Presets::gpt2Small);
        all.put("gpt2-medium", Presets::gpt2Medium);
        all.put("llama-2-7b", Presets::llama2_7b);
        all.put("llama-3-8b", Presets::llama3_8b);
        all.put("llama-3.2-1b", Presets::llama32_1b);
        all.put("tinyllama-1.1b", Presets::tinyLlama1_1b);
        all.put("mistral-7b", Presets::mistral7b);
        all.put("qwen3-0.6b", Presets::qwen3_06b);
        all.put("gemma-2-2b", Presets::gemma2_2b);
        all.put("gemma-3-270m", Presets::gemma3_270m);
        all.put("gemma-3-1b", Presets::gemma3_1b);
        all.put("gemma-3-4b", Presets::gemma3_4b);
        all.put("gemma-3-12b", Presets::gemma3_12b);
        all.put("gemma-3-27b", Presets::gemma3_27b);
        all.put("phi-2", Presets::phi2);
        all.put("phi-3-mini-4k", Presets::phi3Mini4k);
        all.put("phi-3.5-mini", Presets::phi35Mini);
        all.put("phi-4-mini", Presets::phi4Mini);
        all.put("bloom-560m", Presets::bloom560m);
        all.put("falcon-7b", Presets::falcon7b);
        all.put("chatglm2-6b", Presets::chatglm2_6b);
        all.put("chatglm-6b", Presets::chatglm6b);
        all.put("mixtral-8x7b", Presets::mixtral8x7b);
        all.put("deepseek-v2-lite", Presets::deepSeekV2Lite);
        all.put("deepseek-v2", Presets::deepSeekV2);
        all.put("qwen1.5-moe-a2.7b", Presets::qwen15MoeA27b);
        all.put("olmoe-1b-7b", Presets::olmoe1b7b);
        all.put("qwen3-30b-a3b", Presets::qwen3_30bA3b);
        return all;
    }

    /** Mamba-130M: see {@link StateSpacePresets}. */
    public static ModelSpec mamba130m() {
        return StateSpacePresets.mamba130m();
    }

    /** Mamba-2.8B: see {@link StateSpacePresets}. */
    public static ModelSpec mamba2_8b() {
        return StateSpacePresets.mamba2_8b();
    }

    /** Mamba-2 2.7B: see {@link StateSpacePresets}. */
    public static ModelSpec mamba2_2_7b() {
        return StateSpacePresets.mamba2_2_7b();
    }

    /** Jamba-v0.1, Mamba interleaved with attention and experts: see {@link StateSpacePresets}. */
    public static ModelSpec jambaV01() {
        return StateSpacePresets.jambaV01();
    }

    /**
     * Every full-size recurrent preset by name (Mamba, Mamba-2, RWKV, linear attention, Jamba): models without
     * attention on every layer, kept apart from {@link #all()}, whose readers (tables of heads and KV caches) expect
     * both on every layer.
     */
    public static Map<String, Supplier<ModelSpec>> stateSpace() {
        Map<String, Supplier<ModelSpec>> all = new LinkedHashMap<>();
        all.put("mamba-130m", Presets::mamba130m);
        all.put("mamba-2.8b", Presets::mamba2_8b);
        all.put("mamba2-2.7b", Presets::mamba2_2_7b);
        all.put("rwkv6-finch-1.6b", RwkvPresets::finch1b6);
        all.put("rwkv7-goose-1.5b", RwkvPresets::goose1b5);
        all.put("transnormerllm-385m", LinearAttentionPresets::transNormerLlm385m);
        all.put("jamba-v0.1", Presets::jambaV01);
        return all;
    }

    /**
     * The preset named {@code name} (see {@link #all()} and {@link #stateSpace()}), full size or with a
     * {@code tiny-} prefix.
     */
    public static ModelSpec byName(String name) {
        String key = name.startsWith("tiny-") ? name.substring(5) : name;
        Supplier<ModelSpec> preset = all().getOrDefault(key, stateSpace().get(key));
        if (preset == null) {
            throw new IllegalArgumentException("no preset named '" + name + "'; known presets: " + all().keySet()
                    + " and " + stateSpace().keySet() + " (prefix tiny- for the 2-layer test version)");
        }
        return name.startsWith("tiny-") ? tiny(preset.get()) : preset.get();
    }

    /**
     * The same architecture at test size: 2 layers, dModel 32, 4 query heads of 8 (K/V heads scaled to
     * keep MHA, GQA or MQA), the FFN's width ratio kept (rounded to a multiple of 8), vocabulary 256,
     * context 128 (a state space model: its mixer at Mamba's defaults for dModel 32). Every choice except the sizes
     * stays ({@link TestSize}).
     */
    public static ModelSpec tiny(ModelSpec full) {
        return TestSize.of(full);
    }
}
