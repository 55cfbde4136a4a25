package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * transformers' {@code T5Config} (model_type {@code t5}, and {@code mt5}, which has the same layout) as an
 * {@link EncoderDecoderSpec}: d_model, d_kv, d_ff, num_layers, num_decoder_layers (default num_layers), num_heads,
 * relative_attention_num_buckets (32) and _max_distance (128), layer_norm_epsilon (1e-6), feed_forward_proj
 * ({@code relu}: a ReLU MLP; {@code gated-gelu}: GELU in tanh form on wi_0 times wi_1), tie_word_embeddings (true:
 * the head is the token embedding and the decoder output is rescaled by d_model^-0.5, as T5ForConditionalGeneration
 * does), decoder_start_token_id (0), n_positions (512). No T5 layer has a bias.
 */
public final class T5Config {
    private T5Config() {}

    /** The spec {@code config} describes; {@code source} names the file in messages, {@code name} labels the spec. */
    public static EncoderDecoderSpec parse(JsonNode config, String source, String name) {
        String type = config.path("model_type").asText("");
        if (!List.of("t5", "mt5").contains(type)) {
            throw new HfConfigException(source, "model_type", "model_type = '" + type + "': a T5 checkpoint here is "
                    + "'t5' or 'mt5'");
        }
        int dModel = required(config, source, "d_model");
        int heads = required(config, source, "num_heads");
        int layers = required(config, source, "num_layers");
        int ffnWidth = required(config, source, "d_ff");
        String projection = config.path("feed_forward_proj").asText("relu");
        Ffn ffn = switch (projection) {
            case "relu" -> Ffn.mlp(ffnWidth, Activation.RELU).withBias(false);
            case "gated-gelu" -> Ffn.geglu(ffnWidth).withActivation(Activation.GELU_TANH).withBias(false);
            default -> throw new HfConfigException(source, "feed_forward_proj", "feed_forward_proj = '" + projection
                    + "': llmgraph reads T5's 'relu' and 'gated-gelu'");
        };
        boolean tied = config.path("tie_word_embeddings").asBoolean(true);
        int headDim = config.path("d_kv").asInt(64);
        return Transformer.encoderDecoder(name)
                .vocabSize(required(config, source, "vocab_size")).dModel(dModel)
                .encoderLayers(layers).decoderLayers(config.path("num_decoder_layers").asInt(layers))
                .heads(heads).headDim(headDim * heads == dModel ? 0 : headDim)
                .ffn(ffn)
                .relativeBias(Positional.t5Bias(config.path("relative_attention_num_buckets").asInt(32),
                        config.path("relative_attention_max_distance").asInt(128)))
                .normEps(config.path("layer_norm_epsilon").asDouble(1e-6))
                .tiedEmbeddings(tied).rescaledHead(tied)
                .decoderStartToken(config.path("decoder_start_token_id").asInt(0))
                .contextLength(config.path("n_positions").asInt(512))
                .build();
    }

    /** The config.json of {@code spec} (refused in words where transformers' T5 cannot say it). */
    public static ObjectNode toTree(EncoderDecoderSpec spec) {
        Ffn ffn = spec.ffn();
        String projection = !ffn.gated() && ffn.activation() == Activation.RELU ? "relu"
                : ffn.gated() && ffn.activation() == Activation.GELU_TANH ? "gated-gelu" : null;
        if (projection == null || ffn.bias()) {
            throw new IllegalArgumentException(spec.name() + " has a " + ffn + " FFN" + (ffn.bias() ? " with biases"
                    : "") + ", which transformers' T5 cannot say: it has 'relu' and 'gated-gelu' without biases");
        }
        if (spec.tiedEmbeddings() != spec.rescaledHead()) {
            throw new IllegalArgumentException(spec.name() + " has a tied head without T5's rescaling, which "
                    + "transformers' T5 cannot say: tie_word_embeddings also rescales by d_model^-0.5");
        }
        ObjectNode c = HfConfig.JSON.createObjectNode();
        c.putArray("architectures").add("T5ForConditionalGeneration");
        c.put("model_type", "t5");
        c.put("is_encoder_decoder", true);
        c.put("vocab_size", spec.vocabSize());
        c.put("d_model", spec.dModel());
        c.put("d_kv", spec.headDim());
        c.put("d_ff", ffn.width());
        c.put("num_layers", spec.encoderLayers());
        c.put("num_decoder_layers", spec.decoderLayers());
        c.put("num_heads", spec.heads());
        c.put("relative_attention_num_buckets", spec.relativeBias().buckets());
        c.put("relative_attention_max_distance", spec.relativeBias().maxDistance());
        c.put("layer_norm_epsilon", spec.normEps());
        c.put("feed_forward_proj", projection);
        c.put("tie_word_embeddings", spec.tiedEmbeddings());
        c.put("decoder_start_token_id", spec.decoderStartToken());
        c.put("n_positions", spec.contextLength());
        c.put("torch_dtype", "float32");
        return c;
    }

    private static int required(JsonNode config, String source, String field) {
        JsonNode value = config.get(field);
        if (value == null || !value.canConvertToInt() || value.asInt() < 1) {
            throw new HfConfigException(source, field, field + " = " + value + ": T5's config needs it as a positive "
                    + "whole number");
        }
        return value.asInt();
    }
}
