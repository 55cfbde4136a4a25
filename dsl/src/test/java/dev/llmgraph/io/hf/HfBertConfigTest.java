package dev.llmgraph.io.hf;

import dev.llmgraph.presets.EncoderPresets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * BERT's config.json (model_type bert): the published bert-base-uncased config read as the preset, a tiny BERT
 * written word for word and read back, and every field llmgraph refuses, with its message word for word.
 */
class HfBertConfigTest {
    /** https://huggingface.co/google-bert/bert-base-uncased/blob/main/config.json, as published. */
    static final String BERT_BASE_UNCASED = """
            {
              "architectures": [
                "BertForMaskedLM"
              ],
              "attention_probs_dropout_prob": 0.1,
              "gradient_checkpointing": false,
              "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1,
              "hidden_size": 768,
              "initializer_range": 0.02,
              "intermediate_size": 3072,
              "layer_norm_eps": 1e-12,
              "max_position_embeddings": 512,
              "model_type": "bert",
              "num_attention_heads": 12,
              "num_hidden_layers": 12,
              "pad_token_id": 0,
              "position_embedding_type": "absolute",
              "transformers_version": "4.6.0.dev0",
              "type_vocab_size": 2,
              "use_cache": true,
              "vocab_size": 30522
            }""";

    private static final String TINY = """
            "model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 64, "vocab_size": 100""";

    static ModelSpec tinyBert(Activation activation, boolean maskedLm) {
        return Transformer.encoder("tiny-bert").vocabSize(100).dModel(32).layers(2).contextLength(16)
                .attention(Attention.multiHead(4).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-12), NormPlacement.POST).finalNorm(false)
                .ffn(Ffn.mlp(64, activation))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(2))
                .pooling(Pooling.cls())
                .maskedLmHead(maskedLm)
                .build();
    }

    @Test
    void publishedBertBaseUncasedIsThePresetWithItsMaskedLmHead() {
        ModelSpec read = HfConfig.parse(BERT_BASE_UNCASED, "bert-base-uncased/config.json");
        assertEquals(EncoderPresets.bertBaseUncased().toBuilder().name("bert").maskedLmHead(true).build(), read);
        assertEquals(108_891_648L, read.withMaskedLmHead(false).accounting().parameters().total(),
                "the encoder's count, without the pooler (EncoderPresets)");
    }

    @Test
    void tinyBertIsWrittenWordForWordAndReadBack() {
        ModelSpec spec = tinyBert(Activation.GELU, true);
        assertEquals(HfModelType.BERT, HfConfig.modelTypeFor(spec));
        assertEquals("""
                {
                  "_name_or_path": "tiny-bert",
                  "architectures": [
                    "BertForMaskedLM"
                  ],
                  "hidden_act": "gelu",
                  "hidden_size": 32,
                  "intermediate_size": 64,
                  "layer_norm_eps": 1.0E-12,
                  "max_position_embeddings": 16,
                  "model_type": "bert",
                  "num_attention_heads": 4,
                  "num_hidden_layers": 2,
                  "position_embedding_type": "absolute",
                  "tie_word_embeddings": true,
                  "type_vocab_size": 2,
                  "vocab_size": 100
                }""", HfConfig.toJson(spec));
        assertEquals(spec, HfConfig.parse(HfConfig.toJson(spec), "tiny"));
        ModelSpec encoderOnly = tinyBert(Activation.GELU_TANH, false);
        String json = HfConfig.toJson(encoderOnly);
        assertEquals(encoderOnly, HfConfig.parse(json, "tiny"));
        assertFalse(json.contains("BertForMaskedLM"), json);
    }

    @Test
    void aSpecBertCannotSayIsRefusedInWords() {
        ModelSpec spec = tinyBert(Activation.GELU_TANH, true).toBuilder()
                .embeddings(Embeddings.untied().withLayerNorm(true)).pooling(Pooling.mean()).build();
        NoHfEquivalentException e = assertThrows(NoHfEquivalentException.class,
                () -> HfConfig.toJson(spec, HfModelType.BERT));
        assertEquals("spec 'tiny-bert' cannot be written as HF bert:\n"
                + "  - embeddings.tokenTypes = 0: HF bert has a token type table (type_vocab_size of at least 1)\n"
                + "  - ffn.activation = GELU_TANH: HF bert uses hidden_act in the masked-LM head too, where llmgraph's "
                + "head has exact GELU", e.getMessage());
        assertEquals(List.of("kind = CAUSAL_DECODER: HF bert is an encoder",
                        "placement = PRE: HF bert normalises after each residual add (POST)",
                        "finalNorm = true: HF bert ends with the last block's own norm, no final norm"),
                HfFamily.of(HfModelType.BERT).mismatches(dev.llmgraph.presets.Presets.gpt2Small()).subList(0, 3));
    }

    private static void refused(String json, String field, String message) {
        HfConfigException e = assertThrows(HfConfigException.class, () -> HfConfig.parse(json, "bert/config.json"));
        assertEquals("bert/config.json: " + message, e.getMessage());
        assertEquals(field, e.field());
    }

    @Test
    void missingAndWrongFieldsAreRefusedInWords() {
        refused("""
                {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "vocab_size": 100}""", "intermediate_size", "field 'intermediate_size' is missing; it sets the FFN "
                + "width");
        refused("{" + TINY.replace("\"vocab_size\": 100", "\"vocab_size\": \"100\"") + "}", "vocab_size",
                "field 'vocab_size' = \"100\" must be a whole number");
        refused("{" + TINY.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5") + "}",
                "num_attention_heads", "field 'num_attention_heads' = 5 does not divide 'hidden_size' = 32, and this "
                        + "config has no other way to give the head size");
        refused("{" + TINY + ", \"type_vocab_size\": 0}", "type_vocab_size",
                "field 'type_vocab_size' = 0 must be at least 1");
        refused("{" + TINY + ", \"layer_norm_eps\": \"small\"}", "layer_norm_eps",
                "field 'layer_norm_eps' = \"small\" must be a number");
        refused("{" + TINY + ", \"position_embedding_type\": \"relative_key\"}", "position_embedding_type",
                "field 'position_embedding_type' = \"relative_key\" has no llmgraph equivalent; llmgraph's BERT learns "
                        + "absolute positions (\"absolute\"), not distance embeddings (relative_key, "
                        + "relative_key_query)");
        refused("{" + TINY + ", \"hidden_act\": \"gelu_fast\"}", "hidden_act",
                "field 'hidden_act' = \"gelu_fast\" has no llmgraph activation; llmgraph reads silu, swish, gelu, "
                        + "gelu_new, gelu_pytorch_tanh and relu");
        refused("{" + TINY + ", \"is_decoder\": true}", "is_decoder", "field 'is_decoder' = true makes this BERT a "
                + "causal decoder; llmgraph reads BERT as an encoder (an encoder runs left to right per call with "
                + "AttentionMask.leftToRight())");
        refused("{" + TINY + ", \"add_cross_attention\": true}", "add_cross_attention",
                "field 'add_cross_attention' = true has no llmgraph equivalent; llmgraph's BERT is an encoder without "
                        + "cross-attention");
        refused("{" + TINY + ", \"architectures\": \"BertModel\"}", "architectures",
                "field 'architectures' = \"BertModel\" must be a list of class names, e.g. [\"BertForMaskedLM\"]");
        refused("{" + TINY + ", \"architectures\": [\"BertForMaskedLM\"], \"hidden_act\": \"gelu_new\"}",
                "hidden_act", "field 'hidden_act' = \"gelu_new\" also sets the masked-LM head's activation, which "
                        + "llmgraph computes with exact GELU (\"gelu\"); to read the encoder without the head, name "
                        + "BertModel in 'architectures'");
        refused("{" + TINY + ", \"architectures\": [\"BertForPreTraining\"], \"tie_word_embeddings\": false}",
                "tie_word_embeddings", "field 'tie_word_embeddings' = false gives the masked-LM head a decoder matrix "
                        + "of its own; llmgraph's head scores with the word embedding (tied)");
    }
}
