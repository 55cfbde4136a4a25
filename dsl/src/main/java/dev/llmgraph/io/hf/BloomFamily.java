package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * BloomConfig: a pre-LayerNorm decoder with ALiBi (slopes of max bias 8), a LayerNorm right after the
 * embedding, multi-head attention, an MLP of 4 x hidden_size with tanh-approximated GELU, biases everywhere,
 * tied output head. BLOOM's config has no context length (ALiBi needs none); llmgraph reads
 * {@code seq_length} where present and otherwise uses 2048, the length BLOOM was trained on, and writes
 * {@code seq_length} back.
 */
final class BloomFamily implements HfFamily {
    static final int TRAINED_CONTEXT = 2048;

    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("hidden_size", "dModel", "n_embed");
        int layers = f.requiredSize("n_layer", "layers", "num_hidden_layers");
        int heads = f.requiredSize("n_head", "heads", "num_attention_heads");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        HfFamily.requireDivisible(f, d, heads, "hidden_size", "n_head");
        if (f.flag("apply_residual_connection_post_layernorm", false)) {
            throw f.error("apply_residual_connection_post_layernorm", "field 'apply_residual_connection_post_layernorm'"
                    + " = true has no llmgraph equivalent; llmgraph's residual adds a block's input, not its normalised "
                    + "input");
        }
        Embeddings embeddings = Embeddings.untied().withTied(f.flag("tie_word_embeddings", true)).withLayerNorm(true);
        return Transformer.causalDecoder(f.modelName("bloom"))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(f.optionalSize("seq_length", TRAINED_CONTEXT))
                .attention(Attention.multiHead(heads).withBias(true))
                .positional(Positional.alibi())
                .norm(Norm.layer(f.number("layer_norm_epsilon", 1e-5)), NormPlacement.PRE)
                .ffn(Ffn.mlp(4 * d, Activation.GELU_TANH))
                .embeddings(embeddings)
                .build();
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.BLOOM).common();
        fit.require(spec.positional().equals(Positional.alibi()), "positional",
                spec.positional(), "uses ALiBi with max bias 8");
        fit.familyNorm();
        fit.require(spec.embeddings().layerNorm(), "embeddings.layerNorm", false,
                "normalises the embeddings (word_embeddings_layernorm)");
        Ffn ffn = spec.ffn();
        fit.require(ffn.equals(Ffn.mlp(4 * spec.dModel(), Activation.GELU_TANH)), "ffn", ffn,
                "has an ungated MLP of 4 x hidden_size with tanh-approximated GELU and biases");
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
        out.put("hidden_size", spec.dModel());
        out.put("n_layer", spec.layers());
        out.put("n_head", spec.heads());
        out.put("layer_norm_epsilon", spec.norm().eps());
        out.put("apply_residual_connection_post_layernorm", false);
        out.put("seq_length", spec.contextLength());
        out.put("tie_word_embeddings", spec.tiedEmbeddings());
        out.put("vocab_size", spec.vocabSize());
    }
}
