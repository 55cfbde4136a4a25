package dev.llmgraph.presets;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderBuilder;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Published encoder-decoders (T5) as specs. T5's choices in every one: a SentencePiece vocabulary of 32 128 rows,
 * heads of d_kv = 64, 32 relative-position buckets reaching 128 (relative_attention_num_buckets,
 * relative_attention_max_distance) with one table per stack, RMS norm without bias (layer_norm_epsilon 1e-6) before
 * every sublayer and after each stack, no biases anywhere, decoder_start_token_id 0.
 * <ul>
 *   <li>T5 v1.0 (t5-small, t5-base): ReLU FFN ({@code feed_forward_proj: relu}), the output head tied to the token
 *       embedding and the decoder's output rescaled by d_model^-0.5 before it.</li>
 *   <li>T5 v1.1 and Flan-T5: gated GELU in tanh form ({@code feed_forward_proj: gated-gelu}, i.e. gelu_new) with three
 *       matrices, and an untied head ({@code tie_word_embeddings: false}) that is not rescaled.</li>
 * </ul>
 * The published counts are those of the checkpoints' safetensors (the Hugging Face model pages), which count the
 * shared embedding once: embedding + both stacks + cross-attention (+ the untied head).
 */
public final class EncoderDecoderPresets {
    private EncoderDecoderPresets() {}

    /**
     * T5-small (https://huggingface.co/google-t5/t5-small/blob/main/config.json): d_model 512, num_layers 6 (and 6
     * decoder layers), num_heads 8, d_kv 64, d_ff 2048, relu, tied. 60 506 624 parameters, the count on
     * https://huggingface.co/google-t5/t5-small (the card's "60.5M").
     */
    public static EncoderDecoderSpec t5Small() {
        return t5("t5-small", 512, 6, 8).ffn(Ffn.mlp(2048, Activation.RELU).withBias(false)).build();
    }

    /**
     * T5-base (https://huggingface.co/google-t5/t5-base/blob/main/config.json): d_model 768, num_layers 12, num_heads
     * 12, d_kv 64, d_ff 3072, relu, tied. 222 903 552 parameters, the count on https://huggingface.co/google-t5/t5-base
     * (the card's "223M").
     */
    public static EncoderDecoderSpec t5Base() {
        return t5("t5-base", 768, 12, 12).ffn(Ffn.mlp(3072, Activation.RELU).withBias(false)).build();
    }

    /**
     * Flan-T5-base (https://huggingface.co/google/flan-t5-base/blob/main/config.json): d_model 768, num_layers 12,
     * num_heads 12, d_kv 64, d_ff 2048, gated-gelu, tie_word_embeddings false. 247 577 856 parameters, the count on
     * https://huggingface.co/google/flan-t5-base (the card's "248M").
     */
    public static EncoderDecoderSpec flanT5Base() {
        return t5("flan-t5-base", 768, 12, 12).ffn(Ffn.geglu(2048).withActivation(Activation.GELU_TANH))
                .tiedEmbeddings(false).rescaledHead(false).build();
    }

    /** Every encoder-decoder preset by name. */
    public static Map<String, Supplier<EncoderDecoderSpec>> all() {
        Map<String, Supplier<EncoderDecoderSpec>> all = new LinkedHashMap<>();
        all.put("t5-small", EncoderDecoderPresets::t5Small);
        all.put("t5-base", EncoderDecoderPresets::t5Base);
        all.put("flan-t5-base", EncoderDecoderPresets::flanT5Base);
        return all;
    }

    private static EncoderDecoderBuilder t5(String name, int dModel, int layers, int heads) {
        return Transformer.encoderDecoder(name).vocabSize(32128).dModel(dModel).encoderLayers(layers)
                .decoderLayers(layers).heads(heads).headDim(64).relativeBias(Positional.t5Bias(32, 128)).normEps(1e-6)
                .tiedEmbeddings(true).rescaledHead(true).contextLength(512).decoderStartToken(0);
    }
}
