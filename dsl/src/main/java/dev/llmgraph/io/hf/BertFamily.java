package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import java.util.List;
import java.util.Set;

/**
 * BertConfig: an encoder with learned absolute positions, token type (segment) embeddings and a LayerNorm after
 * the embedding sum, multi-head attention, post-LN blocks (attention, add, LayerNorm; MLP, add, LayerNorm) with
 * biases everywhere and no final norm. Fields: {@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers},
 * {@code num_attention_heads} and {@code intermediate_size} must be present; {@code hidden_act} (default "gelu",
 * exact GELU), {@code max_position_embeddings} (512), {@code type_vocab_size} (2) and {@code layer_norm_eps}
 * (1e-12) take BertConfig's defaults.
 *
 * <p>The masked-LM head (BERT's {@code cls.predictions}: dense, activation, LayerNorm, the tied word embedding and
 * a bias per token) is read when {@code architectures} names BertForMaskedLM or BertForPreTraining (whose
 * next-sentence head is not read), and written as BertForMaskedLM; without it the spec is written as BertModel.
 * BertModel's pooler (dense + tanh on [CLS]) is not part of llmgraph's spec: its tensors are ignored on reading,
 * and HF initialises them afresh when it loads what llmgraph wrote (as it warns). A config.json does not say how a
 * sentence embedding is pooled (sentence-transformers keeps that in its own files), so a read spec pools with
 * {@link Pooling#cls()} and the written file keeps no pooling.
 */
final class BertFamily implements HfFamily {
    /** The classes whose checkpoints carry BERT's masked-LM head, {@code cls.predictions}. */
    private static final Set<String> MASKED_LM_CLASSES = Set.of("BertForMaskedLM", "BertForPreTraining");

    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers");
        int heads = f.requiredSize("num_attention_heads", "heads");
        int ffnWidth = f.requiredSize("intermediate_size", "the FFN width");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        HfFamily.requireDivisible(f, d, heads, "hidden_size", "num_attention_heads");
        String positions = f.text("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw f.error("position_embedding_type", "field 'position_embedding_type' = \"" + positions + "\" has no "
                    + "llmgraph equivalent; llmgraph's BERT learns absolute positions (\"absolute\"), not distance "
                    + "embeddings (relative_key, relative_key_query)");
        }
        if (f.flag("is_decoder", false)) {
            throw f.error("is_decoder", "field 'is_decoder' = true makes this BERT a causal decoder; llmgraph reads "
                    + "BERT as an encoder (an encoder runs left to right per call with AttentionMask.leftToRight())");
        }
        if (f.flag("add_cross_attention", false)) {
            throw f.error("add_cross_attention", "field 'add_cross_attention' = true has no llmgraph equivalent; "
                    + "llmgraph's BERT is an encoder without cross-attention");
        }
        boolean maskedLm = maskedLmHead(f);
        Activation activation = HfActivation.read(f, "hidden_act", "gelu");
        if (maskedLm && activation != Activation.GELU) {
            throw f.error("hidden_act", "field 'hidden_act' = \"" + f.text("hidden_act", "gelu") + "\" also sets the "
                    + "masked-LM head's activation, which llmgraph computes with exact GELU (\"gelu\"); to read the "
                    + "encoder without the head, name BertModel in 'architectures'");
        }
        if (maskedLm && !f.flag("tie_word_embeddings", true)) {
            throw f.error("tie_word_embeddings", "field 'tie_word_embeddings' = false gives the masked-LM head a "
                    + "decoder matrix of its own; llmgraph's head scores with the word embedding (tied)");
        }
        return Transformer.encoder(f.modelName("bert"))
                .vocabSize(vocab).dModel(d).layers(layers)
                .contextLength(f.optionalSize("max_position_embeddings", 512))
                .attention(Attention.multiHead(heads).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(f.number("layer_norm_eps", 1e-12)), NormPlacement.POST).finalNorm(false)
                .ffn(Ffn.mlp(ffnWidth, activation))
                .embeddings(Embeddings.untied().withLayerNorm(true)
                        .withTokenTypes(f.optionalSize("type_vocab_size", 2)))
                .pooling(Pooling.cls())
                .maskedLmHead(maskedLm)
                .build();
    }

    /** Whether {@code architectures} names a class with the masked-LM head. */
    private static boolean maskedLmHead(ConfigFields f) {
        JsonNode classes = f.get("architectures");
        if (classes == null) {
            return false;
        }
        if (!classes.isArray()) {
            throw f.error("architectures", "field 'architectures' = " + classes + " must be a list of class names, "
                    + "e.g. [\"BertForMaskedLM\"]");
        }
        for (JsonNode name : classes) {
            if (name.isTextual() && MASKED_LM_CLASSES.contains(name.textValue())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.BERT).encoder();
        fit.require(spec.positional().equals(Positional.learned()), "positional", spec.positional(),
                "learns absolute positions (position_embeddings)");
        fit.familyNorm();
        fit.require(spec.embeddings().layerNorm(), "embeddings.layerNorm", false,
                "normalises the embedding sum (embeddings.LayerNorm)");
        fit.require(spec.embeddings().tokenTypes() >= 1, "embeddings.tokenTypes", spec.embeddings().tokenTypes(),
                "has a token type table (type_vocab_size of at least 1)");
        Ffn ffn = spec.ffn();
        fit.require(!ffn.gated(), "ffn", ffn, "has an ungated MLP (intermediate, output)");
        fit.require(ffn.bias(), "ffn.bias", false, "has biases on its MLP");
        fit.require(HfActivation.write(ffn.activation(), HfModelType.BERT) != null, "ffn.activation",
                ffn.activation(), "has no hidden_act for it");
        fit.require(!spec.maskedLmHead() || ffn.activation() == Activation.GELU, "ffn.activation", ffn.activation(),
                "uses hidden_act in the masked-LM head too, where llmgraph's head has exact GELU");
        fit.multiHead();
        fit.attentionBias(true, true, "has biases on q, k, v and o");
        fit.implicitHeadDim();
        fit.defaultSoftmaxScale();
        fit.noWindow();
        fit.noParallelBlock();
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        out.putArray("architectures").add(spec.maskedLmHead() ? "BertForMaskedLM" : "BertModel");
        out.put("hidden_size", spec.dModel());
        out.put("num_hidden_layers", spec.layers());
        out.put("num_attention_heads", spec.heads());
        out.put("intermediate_size", spec.ffnDim());
        out.put("hidden_act", HfActivation.write(spec.ffn().activation(), HfModelType.BERT));
        out.put("max_position_embeddings", spec.contextLength());
        out.put("type_vocab_size", spec.embeddings().tokenTypes());
        out.put("layer_norm_eps", spec.norm().eps());
        out.put("position_embedding_type", "absolute");
        out.put("tie_word_embeddings", true);
        out.put("vocab_size", spec.vocabSize());
    }
}
