package dev.llmgraph.presets;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Published encoders (BERT) as specs, kept apart from {@link Presets#all()}, whose readers run decoders. BERT's
 * choices: WordPiece vocabulary of 30 522, 512 learned positions, 2 token types (sentence A and B), a LayerNorm
 * (eps 1e-12) after the embeddings, post-LN blocks with biases everywhere, an exact (erf) GELU MLP of 4 x dModel, no
 * final norm. Pooling is CLS, without the pre-trained pooler.
 *
 * <p>What the counts cover: the encoder (embeddings and blocks). The published 109 482 240 of BERT-base
 * ({@code BertModel} of transformers) adds the pooler, a dense dModel x dModel layer with bias and tanh on [CLS]
 * (590 592 for base, 1 049 600 for large), which llmgraph's CLS pooling does not have (llama.cpp's embedding models
 * pool without it too); the masked-LM head (its transform and the decoder bias; the decoder matrix is tied) is not
 * counted either.
 */
public final class EncoderPresets {
    private EncoderPresets() {}

    /**
     * BERT-base-uncased (https://huggingface.co/google-bert/bert-base-uncased/blob/main/config.json): hidden_size
     * 768, num_hidden_layers 12, num_attention_heads 12, intermediate_size 3072, max_position_embeddings 512,
     * type_vocab_size 2, vocab_size 30522, hidden_act gelu, layer_norm_eps 1e-12. 108 891 648 parameters in the
     * encoder; with the pooler, 109 482 240, the published count (the model card's "110M").
     */
    public static ModelSpec bertBaseUncased() {
        return bert("bert-base-uncased", 768, 12, 12).build();
    }

    /**
     * BERT-large-uncased (https://huggingface.co/google-bert/bert-large-uncased/blob/main/config.json): hidden_size
     * 1024, num_hidden_layers 24, num_attention_heads 16, intermediate_size 4096, the rest as base. 334 092 288 in
     * the encoder; with the pooler, 335 141 888, the published count (the model card's "336M").
     */
    public static ModelSpec bertLargeUncased() {
        return bert("bert-large-uncased", 1024, 24, 16).build();
    }

    /** Every encoder preset by name. */
    public static Map<String, Supplier<ModelSpec>> all() {
        Map<String, Supplier<ModelSpec>> all = new LinkedHashMap<>();
        all.put("bert-base-uncased", EncoderPresets::bertBaseUncased);
        all.put("bert-large-uncased", EncoderPresets::bertLargeUncased);
        return all;
    }

    /** The parameters of BERT's pooler (dense with bias on [CLS]) for a width of {@code dModel}: not in the spec. */
    public static long poolerParameters(int dModel) {
        return (long) dModel * dModel + dModel;
    }

    private static ModelBuilder bert(String name, int dModel, int layers, int heads) {
        return Transformer.encoder(name)
                .vocabSize(30_522).dModel(dModel).layers(layers).contextLength(512)
                .attention(Attention.multiHead(heads).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-12), NormPlacement.POST).finalNorm(false)
                .ffn(Ffn.mlp(4 * dModel, Activation.GELU))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(2))
                .pooling(Pooling.cls());
    }
}
