package dev.llmgraph.io.hf;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The config.json files of released checkpoints, as published on the Hugging Face hub, read into specs. The
 * independent reference is each model card's parameter count (exact) and, where llmgraph has a preset
 * written from the paper's tables, that preset.
 */
class HfConfigPublishedTest {
    @TempDir
    Path dir;

    private ModelSpec readFile(String folder, String json) throws IOException {
        Path config = Files.createDirectories(dir.resolve(folder)).resolve("config.json");
        Files.writeString(config, json);
        return HfConfig.read(config.getParent());
    }

    /** The preset with the name the config gives, head size left implicit as the config does. */
    private static ModelSpec preset(ModelSpec preset, String name) {
        ModelSpec s = preset.withName(name);
        return s.attention().headDim() * s.heads() == s.dModel() ? s.withAttention(s.attention().withHeadDim(0)) : s;
    }

    @Test
    void llama2_7b_6738415616Parameters() throws IOException {
        ModelSpec spec = readFile("Llama-2-7b-hf", """
                {
                  "_name_or_path": "meta-llama/Llama-2-7b-hf",
                  "architectures": ["LlamaForCausalLM"],
                  "bos_token_id": 1, "eos_token_id": 2,
                  "hidden_act": "silu",
                  "hidden_size": 4096,
                  "initializer_range": 0.02,
                  "intermediate_size": 11008,
                  "max_position_embeddings": 4096,
                  "model_type": "llama",
                  "num_attention_heads": 32,
                  "num_hidden_layers": 32,
                  "num_key_value_heads": 32,
                  "pretraining_tp": 1,
                  "rms_norm_eps": 1e-05,
                  "rope_scaling": null,
                  "tie_word_embeddings": false,
                  "torch_dtype": "float16",
                  "transformers_version": "4.31.0.dev0",
                  "use_cache": true,
                  "vocab_size": 32000
                }""");
        assertEquals(6_738_415_616L, spec.parameterCount());
        assertEquals(preset(Presets.llama2_7b(), "meta-llama/Llama-2-7b-hf"), spec);
    }

    @Test
    void mistral7bV01_7241732096Parameters_window4096() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["MistralForCausalLM"],
                  "bos_token_id": 1, "eos_token_id": 2,
                  "hidden_act": "silu",
                  "hidden_size": 4096,
                  "initializer_range": 0.02,
                  "intermediate_size": 14336,
                  "max_position_embeddings": 32768,
                  "model_type": "mistral",
                  "num_attention_heads": 32,
                  "num_hidden_layers": 32,
                  "num_key_value_heads": 8,
                  "rms_norm_eps": 1e-05,
                  "rope_theta": 10000.0,
                  "sliding_window": 4096,
                  "tie_word_embeddings": false,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.34.0.dev0",
                  "use_cache": true,
                  "vocab_size": 32000
                }""", "Mistral-7B-v0.1/config.json");
        assertEquals(7_241_732_096L, spec.parameterCount());
        assertEquals(preset(Presets.mistral7b(), "mistral"), spec);
    }

    @Test
    void gpt2_124439808Parameters_gptNamesAndLegacyNCtx() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "activation_function": "gelu_new",
                  "architectures": ["GPT2LMHeadModel"],
                  "attn_pdrop": 0.1, "embd_pdrop": 0.1, "resid_pdrop": 0.1,
                  "bos_token_id": 50256, "eos_token_id": 50256,
                  "initializer_range": 0.02,
                  "layer_norm_epsilon": 1e-05,
                  "model_type": "gpt2",
                  "n_ctx": 1024,
                  "n_embd": 768,
                  "n_head": 12,
                  "n_layer": 12,
                  "n_positions": 1024,
                  "summary_activation": null,
                  "summary_first_dropout": 0.1,
                  "summary_proj_to_labels": true,
                  "summary_type": "cls_index",
                  "summary_use_proj": true,
                  "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
                  "vocab_size": 50257
                }""", "gpt2/config.json");
        assertEquals(124_439_808L, spec.parameterCount());
        assertEquals(preset(Presets.gpt2Small(), "gpt2"), spec);
    }

    @Test
    void bloom560m_559214592Parameters_legacyNEmbed() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "apply_residual_connection_post_layernorm": false,
                  "architectures": ["BloomForCausalLM"],
                  "attention_dropout": 0.0,
                  "attention_softmax_in_fp32": true,
                  "bias_dropout_fusion": true,
                  "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 3, "unk_token_id": 0,
                  "hidden_dropout": 0.0,
                  "initializer_range": 0.02,
                  "layer_norm_epsilon": 1e-05,
                  "masked_softmax_fusion": true,
                  "model_type": "bloom",
                  "n_embed": 1024,
                  "n_inner": null,
                  "n_layer": 24,
                  "num_attention_heads": 16,
                  "offset_alibi": 100,
                  "pretraining_tp": 1,
                  "skip_bias_add": true,
                  "skip_bias_add_qkv": false,
                  "slow_but_exact": false,
                  "transformers_version": "4.21.0",
                  "use_cache": true,
                  "vocab_size": 250880
                }""", "bloom-560m/config.json");
        assertEquals(559_214_592L, spec.parameterCount());
        assertEquals(preset(Presets.bloom560m(), "bloom"), spec);
    }

    @Test
    void falcon7b_6921720704Parameters_multiQueryParallel() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "alibi": false,
                  "apply_residual_connection_post_layernorm": false,
                  "architectures": ["FalconForCausalLM"],
                  "attention_dropout": 0.0,
                  "bias": false,
                  "bos_token_id": 11, "eos_token_id": 11,
                  "hidden_dropout": 0.0,
                  "hidden_size": 4544,
                  "initializer_range": 0.02,
                  "layer_norm_epsilon": 1e-05,
                  "model_type": "falcon",
                  "multi_query": true,
                  "new_decoder_architecture": false,
                  "num_attention_heads": 71,
                  "num_hidden_layers": 32,
                  "parallel_attn": true,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.27.4",
                  "use_cache": true,
                  "vocab_size": 65024
                }""", "falcon-7b/config.json");
        assertEquals(6_921_720_704L, spec.parameterCount());
        assertEquals(preset(Presets.falcon7b(), "falcon"), spec);
    }

    @Test
    void qwen2_05b_494032768Parameters_qkvBiasTiedNoWindow() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["Qwen2ForCausalLM"],
                  "attention_dropout": 0.0,
                  "bos_token_id": 151643, "eos_token_id": 151643,
                  "hidden_act": "silu",
                  "hidden_size": 896,
                  "initializer_range": 0.02,
                  "intermediate_size": 4864,
                  "max_position_embeddings": 131072,
                  "max_window_layers": 24,
                  "model_type": "qwen2",
                  "num_attention_heads": 14,
                  "num_hidden_layers": 24,
                  "num_key_value_heads": 2,
                  "rms_norm_eps": 1e-06,
                  "rope_theta": 1000000.0,
                  "sliding_window": 131072,
                  "tie_word_embeddings": true,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.40.1",
                  "use_cache": true,
                  "use_sliding_window": false,
                  "vocab_size": 151936
                }""", "Qwen2-0.5B/config.json");
        assertEquals(494_032_768L, spec.parameterCount());
        Attention a = spec.attention();
        assertEquals(Attention.grouped(14, 2).withBias(true, false), a);
        assertEquals(Positional.rope(1_000_000).withPairing(RopePairing.HALVES), spec.positional());
        assertEquals(1e-6, spec.norm().eps());
        assertEquals(Activation.SILU, spec.ffn().activation());
        assertTrue(spec.tiedEmbeddings());
        assertEquals(131072, spec.contextLength());
    }

    @Test
    void llama32_1b_1235814400Parameters_llama3RopeTiedExplicitHeadDim() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["LlamaForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "bos_token_id": 128000,
                  "eos_token_id": 128001,
                  "head_dim": 64,
                  "hidden_act": "silu",
                  "hidden_size": 2048,
                  "initializer_range": 0.02,
                  "intermediate_size": 8192,
                  "max_position_embeddings": 131072,
                  "mlp_bias": false,
                  "model_type": "llama",
                  "num_attention_heads": 32,
                  "num_hidden_layers": 16,
                  "num_key_value_heads": 8,
                  "pretraining_tp": 1,
                  "rms_norm_eps": 1e-05,
                  "rope_scaling": {
                    "factor": 32.0,
                    "high_freq_factor": 4.0,
                    "low_freq_factor": 1.0,
                    "original_max_position_embeddings": 8192,
                    "rope_type": "llama3"
                  },
                  "rope_theta": 500000.0,
                  "tie_word_embeddings": true,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.45.0.dev0",
                  "use_cache": true,
                  "vocab_size": 128256
                }""", "Llama-3.2-1B/config.json");
        assertEquals(1_235_814_400L, spec.parameterCount());
        assertEquals(Attention.grouped(32, 8).withHeadDim(64), spec.attention());
        assertEquals(Positional.rope(500_000).withScaling(RopeScaling.llama3(32, 8192)), spec.positional());
        assertTrue(spec.tiedEmbeddings());
        assertEquals(131072, spec.contextLength());
    }

    @Test
    void qwen3_06b_596049920Parameters_perHeadQkNormHeadsWiderThanTheStream() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["Qwen3ForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "bos_token_id": 151643,
                  "eos_token_id": 151645,
                  "head_dim": 128,
                  "hidden_act": "silu",
                  "hidden_size": 1024,
                  "initializer_range": 0.02,
                  "intermediate_size": 3072,
                  "max_position_embeddings": 40960,
                  "max_window_layers": 28,
                  "model_type": "qwen3",
                  "num_attention_heads": 16,
                  "num_hidden_layers": 28,
                  "num_key_value_heads": 8,
                  "rms_norm_eps": 1e-06,
                  "rope_scaling": null,
                  "rope_theta": 1000000,
                  "sliding_window": null,
                  "tie_word_embeddings": true,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.51.0",
                  "use_cache": true,
                  "use_sliding_window": false,
                  "vocab_size": 151936
                }""", "Qwen3-0.6B/config.json");
        // the model card: 0.6B parameters, 0.44B of them outside the embedding
        assertEquals(596_049_920L, spec.parameterCount());
        assertEquals(440_467_456L, spec.parameterCount() - 151_936L * 1024);
        assertEquals(Attention.grouped(16, 8).withHeadDim(128).withQkNorm(QkNorm.PER_HEAD), spec.attention());
        assertEquals(Presets.qwen3_06b().withName("qwen3"), spec);
    }

    @Test
    void qwen3_30bA3b_30532122624Parameters_128ExpertsTop8RenormalisedNoSharedExperts() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["Qwen3MoeForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "bos_token_id": 151643,
                  "decoder_sparse_step": 1,
                  "eos_token_id": 151645,
                  "head_dim": 128,
                  "hidden_act": "silu",
                  "hidden_size": 2048,
                  "initializer_range": 0.02,
                  "intermediate_size": 6144,
                  "max_position_embeddings": 40960,
                  "max_window_layers": 48,
                  "mlp_only_layers": [],
                  "model_type": "qwen3_moe",
                  "moe_intermediate_size": 768,
                  "norm_topk_prob": true,
                  "num_attention_heads": 32,
                  "num_experts": 128,
                  "num_experts_per_tok": 8,
                  "num_hidden_layers": 48,
                  "num_key_value_heads": 4,
                  "output_router_logits": false,
                  "rms_norm_eps": 1e-06,
                  "rope_scaling": null,
                  "rope_theta": 1000000.0,
                  "router_aux_loss_coef": 0.001,
                  "sliding_window": null,
                  "tie_word_embeddings": false,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.51.0",
                  "use_cache": true,
                  "use_sliding_window": false,
                  "vocab_size": 151936
                }""", "Qwen3-30B-A3B/config.json");
        assertEquals(30_532_122_624L, spec.parameterCount());
        assertEquals(Presets.qwen3_30bA3b().withName("qwen3_moe"), spec);
    }

    @Test
    void olmoe1b7b_6919161856Parameters_64ExpertsTop8NotRenormalisedWholeWidthQkNorm() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["OlmoeForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "clip_qkv": null,
                  "eos_token_id": 50279,
                  "hidden_act": "silu",
                  "hidden_size": 2048,
                  "initializer_range": 0.02,
                  "intermediate_size": 1024,
                  "max_position_embeddings": 4096,
                  "model_type": "olmoe",
                  "norm_topk_prob": false,
                  "num_attention_heads": 16,
                  "num_experts": 64,
                  "num_experts_per_tok": 8,
                  "num_hidden_layers": 16,
                  "num_key_value_heads": 16,
                  "output_router_logits": false,
                  "pad_token_id": 1,
                  "rms_norm_eps": 1e-05,
                  "rope_scaling": null,
                  "rope_theta": 10000.0,
                  "router_aux_loss_coef": 0.01,
                  "tie_word_embeddings": false,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.43.0.dev0",
                  "use_cache": true,
                  "vocab_size": 50304
                }""", "OLMoE-1B-7B-0924/config.json");
        assertEquals(6_919_161_856L, spec.parameterCount());
        assertEquals(QkNorm.WHOLE_WIDTH, spec.attention().qkNorm());
        assertEquals(Presets.olmoe1b7b().withName("olmoe"), spec);
    }

    @Test
    void olmoeClampingQkvIsRefusedByField() {
        String json = HfConfig.toJson(Presets.olmoe1b7b()).replace("\"clip_qkv\": null", "\"clip_qkv\": 8.0");
        var e = assertThrows(HfConfigException.class, () -> HfConfig.parse(json, "config.json"));
        assertEquals("config.json: field 'clip_qkv' = 8.0 clamps q, k and v, which llmgraph does not do; set it to "
                + "null", e.getMessage());
    }

    @Test
    void gemma2_2b_2614341888Parameters_sandwichNormsSoftcapsWindowOnEveryOtherLayer() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["Gemma2ForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "attn_logit_softcapping": 50.0,
                  "bos_token_id": 2,
                  "cache_implementation": "hybrid",
                  "eos_token_id": 1,
                  "final_logit_softcapping": 30.0,
                  "head_dim": 256,
                  "hidden_act": "gelu_pytorch_tanh",
                  "hidden_activation": "gelu_pytorch_tanh",
                  "hidden_size": 2304,
                  "initializer_range": 0.02,
                  "intermediate_size": 9216,
                  "max_position_embeddings": 8192,
                  "model_type": "gemma2",
                  "num_attention_heads": 8,
                  "num_hidden_layers": 26,
                  "num_key_value_heads": 4,
                  "pad_token_id": 0,
                  "query_pre_attn_scalar": 256,
                  "rms_norm_eps": 1e-06,
                  "rope_theta": 10000.0,
                  "sliding_window": 4096,
                  "torch_dtype": "float32",
                  "transformers_version": "4.42.4",
                  "use_cache": true,
                  "vocab_size": 256000
                }""", "gemma-2-2b/config.json");
        assertEquals(2_614_341_888L, spec.parameterCount());
        assertEquals(Presets.gemma2_2b().withName("gemma2"), spec);
        assertTrue(spec.attention().window().slides(0) && !spec.attention().window().slides(1),
                "layer 0 slides, layer 1 attends fully (Gemma2's is_sliding = not layer_idx % 2)");
    }

    @Test
    void gemma3_1b_999885952Parameters_fiveSlidingLayersOfSixWithTheirOwnRopeBase() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["Gemma3ForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "attn_logit_softcapping": null,
                  "bos_token_id": 2,
                  "cache_implementation": "hybrid",
                  "eos_token_id": 1,
                  "final_logit_softcapping": null,
                  "head_dim": 256,
                  "hidden_activation": "gelu_pytorch_tanh",
                  "hidden_size": 1152,
                  "initializer_range": 0.02,
                  "intermediate_size": 6912,
                  "max_position_embeddings": 32768,
                  "model_type": "gemma3_text",
                  "num_attention_heads": 4,
                  "num_hidden_layers": 26,
                  "num_key_value_heads": 1,
                  "pad_token_id": 0,
                  "query_pre_attn_scalar": 256,
                  "rms_norm_eps": 1e-06,
                  "rope_local_base_freq": 10000,
                  "rope_scaling": null,
                  "rope_theta": 1000000,
                  "sliding_window": 512,
                  "sliding_window_pattern": 6,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.50.0.dev0",
                  "use_cache": true,
                  "vocab_size": 262144
                }""", "gemma-3-1b-pt/config.json");
        assertEquals(999_885_952L, spec.parameterCount());
        assertEquals(SlidingWindow.withGlobalEvery(512, 6), spec.attention().window());
        assertEquals(10_000, ((Positional.Rope) spec.positional()).onSlidingLayers().theta());
        assertEquals(Presets.gemma3_1b().withName("gemma3_text"), spec);
    }

    /** The 270M's config lists its layers in layer_types (transformers 4.55) instead of a pattern. */
    @Test
    void gemma3_270m_268098176Parameters_layerTypes() {
        StringBuilder layerTypes = new StringBuilder();
        for (int i = 0; i < 18; i++) {
            layerTypes.append(i == 0 ? "" : ", ").append(i % 6 == 5 ? "\"full_attention\"" : "\"sliding_attention\"");
        }
        ModelSpec spec = HfConfig.parse("""
                {
                  "architectures": ["Gemma3ForCausalLM"],
                  "attention_bias": false,
                  "attn_logit_softcapping": null,
                  "final_logit_softcapping": null,
                  "head_dim": 256,
                  "hidden_activation": "gelu_pytorch_tanh",
                  "hidden_size": 640,
                  "intermediate_size": 2048,
                  "layer_types": [%s],
                  "max_position_embeddings": 32768,
                  "model_type": "gemma3_text",
                  "num_attention_heads": 4,
                  "num_hidden_layers": 18,
                  "num_key_value_heads": 1,
                  "query_pre_attn_scalar": 256,
                  "rms_norm_eps": 1e-06,
                  "rope_local_base_freq": 10000.0,
                  "rope_scaling": null,
                  "rope_theta": 1000000.0,
                  "sliding_window": 512,
                  "transformers_version": "4.55.0.dev0",
                  "use_bidirectional_attention": false,
                  "vocab_size": 262144
                }""".formatted(layerTypes), "gemma-3-270m/config.json");
        assertEquals(268_098_176L, spec.parameterCount());
        assertEquals(Presets.gemma3_270m().withName("gemma3_text"), spec);
    }

    @Test
    void phi2_2779683840Parameters_parallelBlockPartialRopeAndAnOutputBias() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "_name_or_path": "microsoft/phi-2",
                  "architectures": ["PhiForCausalLM"],
                  "attention_dropout": 0.0,
                  "bos_token_id": 50256,
                  "embd_pdrop": 0.0,
                  "eos_token_id": 50256,
                  "hidden_act": "gelu_new",
                  "hidden_size": 2560,
                  "initializer_range": 0.02,
                  "intermediate_size": 10240,
                  "layer_norm_eps": 1e-05,
                  "max_position_embeddings": 2048,
                  "model_type": "phi",
                  "num_attention_heads": 32,
                  "num_hidden_layers": 32,
                  "num_key_value_heads": 32,
                  "partial_rotary_factor": 0.4,
                  "qk_layernorm": false,
                  "resid_pdrop": 0.1,
                  "rope_scaling": null,
                  "rope_theta": 10000.0,
                  "tie_word_embeddings": false,
                  "torch_dtype": "float16",
                  "transformers_version": "4.37.0",
                  "use_cache": true,
                  "vocab_size": 51200
                }""", "phi-2/config.json");
        assertEquals(2_779_683_840L, spec.parameterCount());
        assertEquals(32, ((Positional.Rope) spec.positional()).rotatedDims(spec.headDim()));
        assertEquals(Presets.phi2().withName("microsoft/phi-2"), spec);
    }

    @Test
    void phi3Mini4k_3821079552Parameters_fusedProjectionsAndAWindowOnEveryLayer() {
        ModelSpec spec = HfConfig.parse("""
                {
                  "_name_or_path": "Phi-3-mini-4k-instruct",
                  "architectures": ["Phi3ForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "bos_token_id": 1,
                  "embd_pdrop": 0.0,
                  "eos_token_id": 32000,
                  "hidden_act": "silu",
                  "hidden_size": 3072,
                  "initializer_range": 0.02,
                  "intermediate_size": 8192,
                  "max_position_embeddings": 4096,
                  "model_type": "phi3",
                  "num_attention_heads": 32,
                  "num_hidden_layers": 32,
                  "num_key_value_heads": 32,
                  "original_max_position_embeddings": 4096,
                  "pad_token_id": 32000,
                  "resid_pdrop": 0.0,
                  "rms_norm_eps": 1e-05,
                  "rope_scaling": null,
                  "rope_theta": 10000.0,
                  "sliding_window": 2047,
                  "tie_word_embeddings": false,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.40.2",
                  "use_cache": true,
                  "vocab_size": 32064
                }""", "Phi-3-mini-4k-instruct/config.json");
        assertEquals(3_821_079_552L, spec.parameterCount());
        assertEquals(Presets.phi3Mini4k().withName("Phi-3-mini-4k-instruct"), spec);
    }

    /**
     * The 4B is an image-and-text model: its config nests the text model's, which sets six fields and takes the rest
     * from Gemma3TextConfig's defaults (8 heads, 4 K/V heads, vocab_size 262208, ...). The vision config is not read.
     */
    @Test
    void gemma3_4b_3880263168Parameters_theTextModelOfAnImageAndTextConfig() {
        ModelSpec spec = HfConfig.parse(imageAndText("""
                    "hidden_size": 2560,
                    "intermediate_size": 10240,
                    "model_type": "gemma3_text",
                    "num_hidden_layers": 34,
                    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                    "sliding_window": 1024"""), "gemma-3-4b-pt/config.json");
        assertEquals(3_880_263_168L, spec.parameterCount());
        assertEquals(Presets.gemma3_4b().withName("gemma3_text"), spec);
        Positional.Rope rope = (Positional.Rope) spec.positional();
        assertEquals(RopeScaling.linear(8), rope.scaling(), "the global layers' RoPE is scaled");
        assertEquals(RopeScaling.none(), rope.onSlidingLayers().scaling(), "the sliding layers' is not");
    }

    @Test
    void gemma3_12b_11766034176Parameters() {
        ModelSpec spec = HfConfig.parse(imageAndText("""
                    "hidden_size": 3840,
                    "intermediate_size": 15360,
                    "model_type": "gemma3_text",
                    "num_attention_heads": 16,
                    "num_hidden_layers": 48,
                    "num_key_value_heads": 8,
                    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                    "sliding_window": 1024"""), "gemma-3-12b-pt/config.json");
        assertEquals(11_766_034_176L, spec.parameterCount());
        assertEquals(Presets.gemma3_12b().withName("gemma3_text"), spec);
    }

    /** The 27B's heads are 128 wide, yet q is scaled by query_pre_attn_scalar 168 = hidden_size / heads. */
    @Test
    void gemma3_27b_27009346304Parameters_queriesScaledByQueryPreAttnScalar() {
        ModelSpec spec = HfConfig.parse(imageAndText("""
                    "head_dim": 128,
                    "hidden_size": 5376,
                    "intermediate_size": 21504,
                    "model_type": "gemma3_text",
                    "num_attention_heads": 32,
                    "num_hidden_layers": 62,
                    "num_key_value_heads": 16,
                    "query_pre_attn_scalar": 168,
                    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                    "sliding_window": 1024"""), "gemma-3-27b-pt/config.json");
        assertEquals(27_009_346_304L, spec.parameterCount());
        assertEquals(Presets.gemma3_27b().withName("gemma3_text"), spec);
        assertEquals(1 / Math.sqrt(168), spec.attention().scale(spec.dModel()), 1e-15);
    }

    /** An image-and-text config.json as the Gemma 3 checkpoints publish it, around {@code textFields}. */
    private static String imageAndText(String textFields) {
        return """
                {
                  "architectures": ["Gemma3ForConditionalGeneration"],
                  "boi_token_index": 255999,
                  "eoi_token_index": 256000,
                  "eos_token_id": [1, 106],
                  "image_token_index": 262144,
                  "initializer_range": 0.02,
                  "mm_tokens_per_image": 256,
                  "model_type": "gemma3",
                  "text_config": {
                %s
                  },
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.50.0.dev0",
                  "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304,
                    "model_type": "siglip_vision_model", "num_attention_heads": 16, "num_hidden_layers": 27,
                    "patch_size": 14, "vision_use_head": false}
                }""".formatted(textFields);
    }

    /** Gemma3TextConfig's rope_theta is 1e6, not the 10 000 other configs default to. */
    @Test
    void gemma3TextWithoutRopeThetaRotatesWithItsClassDefault() {
        ModelSpec spec = HfConfig.parse("""
                {"model_type": "gemma3_text", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 16, "vocab_size": 256}""",
                "config.json");
        assertEquals(1_000_000, ((Positional.Rope) spec.positional()).theta());
        assertEquals(10_000, ((Positional.Rope) spec.positional()).onSlidingLayers().theta());
    }

    @Test
    void anImageAndTextConfigNeedsItsTextConfig() {
        var e = assertThrows(HfConfigException.class, () -> HfConfig.parse("""
                {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"]}""",
                "gemma-3-4b-it/config.json"));
        assertEquals("gemma-3-4b-it/config.json: field 'text_config' is missing; a gemma3 (image-and-text) config "
                + "holds the settings of its text model there", e.getMessage());
        e = assertThrows(HfConfigException.class, () -> HfConfig.parse("""
                {"model_type": "gemma3", "text_config": {"model_type": "siglip_vision_model"}}""",
                "gemma-3-4b-it/config.json"));
        assertEquals("gemma-3-4b-it/config.json: field 'text_config.model_type' = \"siglip_vision_model\" is not "
                + "Gemma 3's text model (gemma3_text)", e.getMessage());
        e = assertThrows(HfConfigException.class, () -> HfConfig.parse("""
                {"model_type": "gemma3", "text_config": {"num_attention_heads": 7}}""", "gemma-3-4b-it/config.json"));
        assertEquals("gemma-3-4b-it/config.json text_config: field 'num_key_value_heads' = 4 must divide "
                + "'num_attention_heads' = 7", e.getMessage(), "the default of 4 K/V heads");
    }

    @Test
    void gemma2_27bScalesQueriesByQueryPreAttnScalar_notHeadDim() {
        ModelSpec spec = HfConfig.parse("""
                {"model_type": "gemma2", "hidden_size": 4608, "num_hidden_layers": 46, "num_attention_heads": 32,
                 "num_key_value_heads": 16, "head_dim": 128, "intermediate_size": 36864, "vocab_size": 256000,
                 "query_pre_attn_scalar": 144}""", "config.json");
        assertEquals(1 / 12.0, spec.attention().softmaxScale());
        assertTrue(HfConfig.toJson(spec).contains("\"query_pre_attn_scalar\": 144.0"), HfConfig.toJson(spec));
        assertEquals(spec, HfConfig.parse(HfConfig.toJson(spec), "config.json"));
    }

    @Test
    void qwen3WithoutHeadDim_takesQwen3ConfigsDefault128_notHiddenSizeOverHeads() {
        ModelSpec spec = HfConfig.parse("""
                {"model_type": "qwen3", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "intermediate_size": 128, "vocab_size": 256}""", "config.json");
        assertEquals(128, spec.headDim());
        assertEquals(4, spec.kvHeads());
        assertEquals(Positional.rope(10_000).withPairing(RopePairing.HALVES), spec.positional());
        assertEquals(32768, spec.contextLength());
    }

    @Test
    void newerFiles_ropeParametersAndLayerTypes() {
        ModelSpec spec = HfConfig.parse("""
                {"model_type": "qwen2", "hidden_size": 32, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "intermediate_size": 64, "vocab_size": 256,
                 "rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 5000.0},
                 "sliding_window": 8,
                 "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"]}
                """, "config.json");
        assertEquals(Positional.rope(5000).withPairing(RopePairing.HALVES)
                .withScaling(RopeScaling.linear(2)), spec.positional());
        assertEquals(SlidingWindow.withGlobalEvery(8, 2), spec.attention().window());
    }
}
