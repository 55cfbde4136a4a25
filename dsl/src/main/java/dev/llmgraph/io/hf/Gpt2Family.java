package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * GPT2Config: a pre-LayerNorm decoder with learned positions, multi-head attention and a GELU MLP, biases
 * everywhere, tied output head by default. Its fields have GPT-2's own names ({@code n_embd},
 * {@code n_layer}, {@code n_head}, {@code n_positions}, {@code n_inner}) and accept the common ones as
 * aliases. {@code scale_attn_weights = false} (no 1/sqrt(headDim)) becomes a softmax scale of 1.
 */
final class Gpt2Family implements HfFamily {
    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("n_embd", "dModel", "hidden_size");
        int layers = f.requiredSize("n_layer", "layers", "num_hidden_layers");
        int heads = f.requiredSize("n_head", "heads", "num_attention_heads");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        int context = f.optionalSize("n_positions", 1024, "max_position_embeddings");
        HfFamily.requireDivisible(f, d, heads, "n_embd", "n_head");
        if (f.flag("scale_attn_by_inverse_layer_idx", false)) {
            throw f.error("scale_attn_by_inverse_layer_idx", "field 'scale_attn_by_inverse_layer_idx' = true has no "
                    + "llmgraph equivalent; llmgraph scales attention logits the same way in every layer");
        }
        if (f.flag("add_cross_attention", false)) {
            throw f.error("add_cross_attention", "field 'add_cross_attention' = true has no llmgraph equivalent; "
                    + "llmgraph builds decoder-only models without cross-attention");
        }
        Attention attention = Attention.multiHead(heads).withBias(true)
                .withSoftmaxScale(f.flag("scale_attn_weights", true) ? 0 : 1.0);
        return Transformer.causalDecoder(f.modelName("gpt2"))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(attention)
                .positional(Positional.learned())
                .norm(Norm.layer(f.number("layer_norm_epsilon", 1e-5)), NormPlacement.PRE)
                .ffn(Ffn.mlp(f.optionalSize("n_inner", 4 * d), HfActivation.read(f, "activation_function", "gelu_new")))
                .tiedEmbeddings(f.flag("tie_word_embeddings", true))
                .build();
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.GPT2).common();
        fit.require(spec.positional().equals(Positional.learned()), "positional", spec.positional(),
                "learns absolute positions (wpe)");
        fit.familyNorm();
        Ffn ffn = spec.ffn();
        fit.require(!ffn.gated(), "ffn", ffn, "has an ungated MLP (c_fc, c_proj)");
        fit.require(ffn.bias(), "ffn.bias", false, "has biases on its MLP");
        fit.require(HfActivation.write(ffn.activation(), HfModelType.GPT2) != null, "ffn.activation",
                ffn.activation(), "has no activation_function for it");
        fit.multiHead();
        fit.attentionBias(true, true, "has biases on q, k, v and o");
        fit.implicitHeadDim();
        double scale = spec.attention().softmaxScale();
        fit.require(scale == 0 || scale == 1, "attention.softmaxScale", scale,
                "scales attention logits by 1/sqrt(headDim), or with scale_attn_weights = false not at all");
        fit.noWindow();
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        out.put("n_embd", spec.dModel());
        out.put("n_layer", spec.layers());
        out.put("n_head", spec.heads());
        out.put("n_positions", spec.contextLength());
        out.put("n_ctx", spec.contextLength());      // as OpenAI's configs have it; llama.cpp's converter reads it
        out.put("n_inner", spec.ffnDim());
        out.put("activation_function", HfActivation.write(spec.ffn().activation(), HfModelType.GPT2));
        out.put("layer_norm_epsilon", spec.norm().eps());
        out.put("scale_attn_weights", spec.attention().softmaxScale() == 0);
        out.put("tie_word_embeddings", spec.tiedEmbeddings());
        out.put("vocab_size", spec.vocabSize());
    }
}
