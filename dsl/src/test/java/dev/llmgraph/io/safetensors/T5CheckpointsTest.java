package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.T5Config;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.EncoderDecoderPresets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * T5 checkpoints in transformers' layout: the published configs read as the presets, the tensor names as llama.cpp's
 * converter maps them ({@code gguf-py/gguf/tensor_mapping.py} of the pinned source), and a written checkpoint read
 * back computing the same logits bit for bit.
 */
class T5CheckpointsTest {

    /** https://huggingface.co/google/flan-t5-base/blob/main/config.json, the fields T5Config reads. */
    private static final String FLAN_T5_BASE = """
            {"architectures": ["T5ForConditionalGeneration"], "d_ff": 2048, "d_kv": 64, "d_model": 768,
             "decoder_start_token_id": 0, "dropout_rate": 0.1, "eos_token_id": 1, "feed_forward_proj": "gated-gelu",
             "initializer_factor": 1.0, "is_encoder_decoder": true, "layer_norm_epsilon": 1e-06, "model_type": "t5",
             "n_positions": 512, "num_decoder_layers": 12, "num_heads": 12, "num_layers": 12, "output_past": true,
             "pad_token_id": 0, "relative_attention_max_distance": 128, "relative_attention_num_buckets": 32,
             "task_specific_params": {}, "tie_word_embeddings": false, "transformers_version": "4.23.1",
             "use_cache": true, "vocab_size": 32128}""";

    /** https://huggingface.co/google-t5/t5-small/blob/main/config.json, the fields T5Config reads. */
    private static final String T5_SMALL = """
            {"architectures": ["T5ForConditionalGeneration"], "d_ff": 2048, "d_kv": 64, "d_model": 512,
             "decoder_start_token_id": 0, "dropout_rate": 0.1, "eos_token_id": 1, "initializer_factor": 1.0,
             "is_encoder_decoder": true, "layer_norm_epsilon": 1e-06, "model_type": "t5", "n_positions": 512,
             "num_heads": 8, "num_layers": 6, "output_past": true, "pad_token_id": 0,
             "relative_attention_num_buckets": 32, "vocab_size": 32128}""";

    @Test
    void thePublishedConfigsReadAsThePresets() throws Exception {
        EncoderDecoderSpec flan = T5Config.parse(HfConfig.JSON.readTree(FLAN_T5_BASE), "flan-t5-base", "flan-t5-base");
        assertEquals(EncoderDecoderPresets.flanT5Base(), flan);
        assertEquals(247_577_856L, flan.parameterCount());
        // T5 v1.0 leaves out num_decoder_layers, feed_forward_proj, max distance and tying: their defaults
        EncoderDecoderSpec small = T5Config.parse(HfConfig.JSON.readTree(T5_SMALL), "t5-small", "t5-small");
        assertEquals(EncoderDecoderPresets.t5Small(), small);
        assertEquals(60_506_624L, small.parameterCount());
    }

    @Test
    void tensorNamesAreTheOnesLlamaCppsConverterMaps() {
        assertEquals("shared.weight", T5Checkpoints.hfName("token_embd.weight", false));
        assertEquals("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                T5Checkpoints.hfName("enc.blk.0.attn_rel_b.weight", false));
        assertEquals("encoder.block.3.layer.0.SelfAttention.o.weight", T5Checkpoints.hfName("enc.blk.3.attn_o.weight",
                false));
        assertEquals("encoder.block.1.layer.1.DenseReluDense.wi.weight", T5Checkpoints.hfName("enc.blk.1.ffn_up.weight",
                false));
        assertEquals("decoder.block.2.layer.1.EncDecAttention.k.weight",
                T5Checkpoints.hfName("dec.blk.2.cross_attn_k.weight", true));
        assertEquals("decoder.block.2.layer.1.layer_norm.weight",
                T5Checkpoints.hfName("dec.blk.2.cross_attn_norm.weight", true));
        assertEquals("decoder.block.2.layer.2.layer_norm.weight", T5Checkpoints.hfName("dec.blk.2.ffn_norm.weight",
                true));
        assertEquals("decoder.block.0.layer.2.DenseReluDense.wi_0.weight",
                T5Checkpoints.hfName("dec.blk.0.ffn_gate.weight", true));
        assertEquals("decoder.block.0.layer.2.DenseReluDense.wi_1.weight",
                T5Checkpoints.hfName("dec.blk.0.ffn_up.weight", true));
        assertEquals("decoder.final_layer_norm.weight", T5Checkpoints.hfName("dec.output_norm.weight", true));
        assertEquals("lm_head.weight", T5Checkpoints.hfName("output.weight", true));
    }

    @Test
    void aWrittenCheckpointReadsBackToTheSameLogits(@TempDir Path dir) {
        int[] input = {5, 9, 2, 33, 17}, output = {14, 3, 3, 52};
        for (boolean flan : new boolean[] {false, true}) {
            var b = Transformer.encoderDecoder(flan ? "tiny-flan-t5" : "tiny-t5").vocabSize(64).dModel(32)
                    .encoderLayers(2).decoderLayers(2).heads(4).contextLength(16);
            EncoderDecoderSpec spec = flan ? b.ffn(Ffn.geglu(64).withActivation(Activation.GELU_TANH).withBias(false))
                    .tiedEmbeddings(false).rescaledHead(false).build()
                    : b.ffn(Ffn.mlp(64, Activation.RELU).withBias(false)).build();
            Path checkpoint = dir.resolve(spec.name());
            float[] ours;
            try (var model = EncoderDecoderModel.random(spec, WeightInit.lecun(3), ModelOptions.cpu().withThreads(2))) {
                T5Checkpoints.write(model, checkpoint);
                ours = model.forward(input, output).toArray();
            }
            EncoderDecoderSpec read = T5Checkpoints.spec(checkpoint);
            assertEquals(spec.toBuilder().build().encoder(), read.encoder());
            assertEquals(spec.decoder(), read.decoder());
            assertEquals(spec.rescaledHead(), read.rescaledHead());
            try (var model = T5Checkpoints.load(checkpoint, ModelOptions.cpu().withThreads(2))) {
                assertArrayEquals(ours, model.forward(input, output).toArray(), spec.name());
            }
        }
    }

    @Test
    void whatTransformersT5CannotSayIsRefusedInWords() throws Exception {
        var e = assertThrows(HfConfigException.class, () -> T5Config.parse(HfConfig.JSON.readTree(
                FLAN_T5_BASE.replace("gated-gelu", "gated-silu")), "config.json", "x"));
        assertEquals("config.json: feed_forward_proj = 'gated-silu': llmgraph reads T5's 'relu' and 'gated-gelu'",
                e.getMessage());
        var swiglu = EncoderDecoderPresets.flanT5Base().withFfn(Ffn.swiglu(2048));
        var refused = assertThrows(IllegalArgumentException.class, () -> T5Config.toTree(swiglu));
        assertEquals("flan-t5-base has a " + Ffn.swiglu(2048) + " FFN, which transformers' T5 cannot say: it has "
                + "'relu' and 'gated-gelu' without biases", refused.getMessage());
    }
}
