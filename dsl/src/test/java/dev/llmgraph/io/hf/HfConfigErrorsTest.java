package dev.llmgraph.io.hf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Every config.json llmgraph refuses, with its message word for word: the file, the field, the problem. */
class HfConfigErrorsTest {
    @TempDir
    Path dir;

    private static final String LLAMA = """
            "model_type": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 64, "vocab_size": 256""";

    private static HfConfigException refuse(String json) {
        return assertThrows(HfConfigException.class, () -> HfConfig.parse(json, "cfg/config.json"));
    }

    private static void refused(String json, String field, String message) {
        HfConfigException e = refuse(json);
        assertEquals("cfg/config.json: " + message, e.getMessage());
        assertEquals(field, e.field());
    }

    @Test
    void missingSize_namesTheFieldAndWhatItSets() {
        refused("""
                {"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
                 "vocab_size": 256}""", "hidden_size", "field 'hidden_size' is missing; it sets dModel");
    }

    @Test
    void missingOrUnknownModelType() {
        refused("{\"hidden_size\": 32}", "model_type",
                "field 'model_type' is missing; llmgraph reads llama, mistral, qwen2, qwen3, gemma2, gemma3_text, "
                        + "phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2 and bert "
                        + "configs, and gemma3 as its text model");
        refused("{\"model_type\": \"t5\"}", "model_type",
                "field 'model_type' = \"t5\" is not one llmgraph reads; it reads llama, mistral, qwen2, qwen3, "
                        + "gemma2, gemma3_text, phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, "
                        + "deepseek_v2 and bert, and gemma3 as its text model");
    }

    @Test
    void wrongKindsOfValue() {
        refused("{" + LLAMA.replace("\"hidden_size\": 32", "\"hidden_size\": \"32\"") + "}", "hidden_size",
                "field 'hidden_size' = \"32\" must be a whole number");
        refused("{" + LLAMA.replace("\"hidden_size\": 32", "\"hidden_size\": 32.5") + "}", "hidden_size",
                "field 'hidden_size' = 32.5 must be a whole number");
        refused("{" + LLAMA.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 0") + "}", "num_hidden_layers",
                "field 'num_hidden_layers' = 0 must be at least 1");
        refused("{" + LLAMA + ", \"rms_norm_eps\": \"tiny\"}", "rms_norm_eps",
                "field 'rms_norm_eps' = \"tiny\" must be a number");
        refused("{" + LLAMA + ", \"tie_word_embeddings\": 1}", "tie_word_embeddings",
                "field 'tie_word_embeddings' = 1 must be true or false");
    }

    @Test
    void contradictoryFields() {
        refused("""
                {"model_type": "gpt2", "n_embd": 768, "hidden_size": 1024, "n_layer": 2, "n_head": 4,
                 "vocab_size": 256}""", "n_embd",
                "fields 'n_embd' = 768 and 'hidden_size' = 1024 disagree; HF reads them as one setting");
        refused("{" + LLAMA + ", \"num_key_value_heads\": 3}", "num_key_value_heads",
                "field 'num_key_value_heads' = 3 must divide 'num_attention_heads' = 4");
        refused("{" + LLAMA.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5") + "}",
                "num_attention_heads", "field 'num_attention_heads' = 5 does not divide 'hidden_size' = 32, and this "
                        + "config has no other way to give the head size");
        refused("""
                {"model_type": "falcon", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "vocab_size": 256, "multi_query": true, "num_kv_heads": 2}""", "num_kv_heads",
                "field 'num_kv_heads' = 2 contradicts 'multi_query' = true (one K/V head); grouped K/V heads need "
                        + "'new_decoder_architecture' = true");
        refused("{" + LLAMA + ", \"rope_theta\": 10000.0, \"rope_parameters\": {\"rope_theta\": 500000.0}}",
                "rope_theta", "fields 'rope_theta' = 10000.0 and 'rope_parameters.rope_theta' = 500000.0 disagree; HF "
                        + "reads them as one setting");
    }

    @Test
    void fieldsLlmgraphCannotExpress_areNamed() {
        refused("{" + LLAMA + ", \"hidden_act\": \"gelu_fast\"}", "hidden_act", "field 'hidden_act' = \"gelu_fast\" "
                + "has no llmgraph activation; llmgraph reads silu, swish, gelu, gelu_new, gelu_pytorch_tanh and relu");
        refused("{" + LLAMA + ", \"rope_scaling\": {\"rope_type\": \"mrope\", \"factor\": 8.0}}",
                "rope_scaling.rope_type", "field 'rope_scaling.rope_type' = \"mrope\" has no llmgraph equivalent; "
                        + "llmgraph scales RoPE with linear, dynamic (NTK-aware), yarn, llama3 or longrope");
        refused("{" + LLAMA + ", \"rope_scaling\": {\"rope_type\": \"longrope\", \"factor\": 8.0}}",
                "rope_scaling.short_factor", "field 'rope_scaling.short_factor' is missing; LongRoPE divides each "
                        + "rotated pair's frequency by one of its factors");
        refused("{" + LLAMA + ", \"rope_scaling\": {\"type\": \"su\", \"short_factor\": [1, 2, 3, 4], "
                        + "\"long_factor\": \"wide\"}}", "rope_scaling.long_factor",
                "field 'rope_scaling.long_factor' = \"wide\" must be a list of numbers");
        refused("{" + LLAMA + ", \"rope_scaling\": {\"rope_type\": \"llama3\"}}", "rope_scaling.factor",
                "field 'rope_scaling.factor' is missing; it sets the context extension");
        refused("{" + LLAMA + ", \"rope_scaling\": {\"type\": \"linear\"}}", "rope_scaling.factor",
                "field 'rope_scaling.factor' is missing; it sets the context extension");
        refused("{" + LLAMA + ", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0, \"attention_factor\": 1.5}}",
                "rope_scaling.attention_factor", "field 'rope_scaling.attention_factor' = 1.5 has no llmgraph "
                        + "equivalent; llmgraph's YaRN uses 0.1 ln(factor) + 1 = 1.138629436111989");
        refused("""
                {"model_type": "falcon", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "vocab_size": 256, "alibi": true}""", "alibi", "field 'alibi' = true has no llmgraph equivalent: HF "
                + "falcon adds ALiBi to the logits before scaling them by 1/sqrt(headDim), llmgraph (like BLOOM) after");
        refused("""
                {"model_type": "falcon", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_kv_heads": 2, "vocab_size": 256, "new_decoder_architecture": true}""",
                "num_ln_in_parallel_attn", "field 'num_ln_in_parallel_attn' = 2 (2 is the default of the new decoder "
                        + "architecture) gives attention and MLP separate LayerNorms, which llmgraph's parallel block "
                        + "(one shared norm) does not express");
        refused("""
                {"model_type": "qwen2", "hidden_size": 32, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "intermediate_size": 64, "vocab_size": 256, "use_sliding_window": true, "sliding_window": 8,
                 "max_window_layers": 2}""", "max_window_layers", "field 'max_window_layers' = 2 makes layers 2 to 3 "
                + "slide and the ones below attend fully, which llmgraph's sliding window (every layer, or every n-th "
                + "layer global) does not express");
        refused("""
                {"model_type": "gpt2", "n_embd": 32, "n_layer": 2, "n_head": 4, "vocab_size": 256,
                 "add_cross_attention": true}""", "add_cross_attention", "field 'add_cross_attention' = true has no "
                + "llmgraph equivalent; llmgraph builds decoder-only models without cross-attention");
        refused("""
                {"model_type": "bloom", "hidden_size": 32, "n_layer": 2, "n_head": 4, "vocab_size": 256,
                 "apply_residual_connection_post_layernorm": true}""", "apply_residual_connection_post_layernorm",
                "field 'apply_residual_connection_post_layernorm' = true has no llmgraph equivalent; llmgraph's "
                        + "residual adds a block's input, not its normalised input");
    }

    @Test
    void aModelTheSpecRulesReject_isReportedWithTheFile() {
        HfConfigException e = refuse("{" + LLAMA + ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 0.5}}");
        assertEquals("cfg/config.json: describes a model llmgraph rejects: spec 'llama' has 1 problem:\n"
                + "  - positional.scaling.factor = 0.5: a context extension factor must be at least 1; 4 runs 4x the "
                + "trained context", e.getMessage());
    }

    @Test
    void longRopeFactorsForOtherHeads_areReportedInTheSpecsWords() {
        HfConfigException e = refuse("{" + LLAMA + ", \"rope_scaling\": {\"type\": \"longrope\", "
                + "\"short_factor\": [1, 2, 3], \"long_factor\": [1, 2, 4, 8]}}");
        assertEquals("cfg/config.json: describes a model llmgraph rejects: spec 'llama' has 1 problem:\n"
                + "  - positional.scaling.shortFactors = 3 values: must hold one divisor per rotated pair, 4; a head of "
                + "8 dimensions rotated over 8 has 4 pairs", e.getMessage());
    }

    @Test
    void malformedJson_saysWhere() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"model_type\": \"llama\",\n \"hidden_size\": 32,,}");
        var e = assertThrows(HfConfigException.class, () -> HfConfig.read(dir));
        assertEquals(file + ": is not valid JSON: Unexpected character (',' (code 44)): was expecting double-quote to "
                + "start field name at line 2, column 20", e.getMessage());
        Files.writeString(file, "[1, 2]");
        assertEquals(file + ": holds a JSON array, not an object of settings",
                assertThrows(HfConfigException.class, () -> HfConfig.read(file)).getMessage());
    }
}
