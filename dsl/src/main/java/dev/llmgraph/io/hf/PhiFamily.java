package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * PhiConfig (Phi-1, Phi-1.5, Phi-2): one LayerNorm ({@code input_layernorm}) feeding attention and an MLP in parallel,
 * biases on every projection ({@code self_attn.q_proj, k_proj, v_proj, dense}, {@code mlp.fc1, fc2}), RoPE on halves of
 * the first {@code partial_rotary_factor} of each head (Phi-2: 0.4, 32 of 80), a final LayerNorm
 * ({@code model.final_layernorm}) and an output head with a bias ({@code lm_head.bias}). Read with q scaled before q.k
 * ({@link Attention#scaledQueries()}), as llama.cpp's phi2 graph computes; {@code qk_layernorm} is refused.
 */
final class PhiFamily implements HfFamily {
    @Override
    public ModelSpec read(ConfigFields f) {
        DecoderSizes size = DecoderSizes.read(f, 2048);
        if (f.flag("qk_layernorm", false)) {
            throw f.error("qk_layernorm", "field 'qk_layernorm' = true normalises q and k with LayerNorms, which "
                    + "llmgraph's QK-norm (RMSNorm) does not express; set it to false");
        }
        double fraction = f.number("partial_rotary_factor", 0.5);
        Activation act = HfActivation.read(f, "hidden_act", "gelu_new");
        return Transformer.causalDecoder(f.modelName(HfModelType.PHI.id()))
                .vocabSize(size.vocab()).dModel(size.dModel()).layers(size.layers()).contextLength(size.context())
                .attention(Attention.grouped(size.heads(), size.kvHeads()).withBias(true, true).withScaledQueries(true))
                .positional(HfRope.read(f, size.context(), HfModelType.PHI.facts().ropePairing())
                        .withFraction(fraction))
                .norm(Norm.layer(f.number("layer_norm_eps", 1e-5)), NormPlacement.PRE)
                .parallelBlock(true)
                .ffn(new Ffn(act, false, size.ffnWidth(), true))
                .embeddings(Embeddings.untied().withTied(f.flag("tie_word_embeddings", false)).withOutputBias(true))
                .build();
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.PHI).common();
        fit.familyNorm();
        fit.noEmbeddingNorm();
        fit.defaultSoftmaxScale();
        fit.implicitHeadDim();
        fit.noWindow();
        fit.require(spec.parallelBlock(), "parallelBlock", false, "runs attention and the MLP in parallel on one norm");
        fit.require(spec.rope() != null, "positional", spec.positional(), "uses RoPE");
        fit.attentionBias(true, true, "has biases on q, k, v and dense");
        Ffn ffn = spec.ffn();
        fit.require(!ffn.gated() && ffn.bias(), "ffn", ffn, "has an ungated MLP with biases (fc1, fc2)");
        fit.require(HfActivation.write(ffn.activation(), HfModelType.PHI) != null, "ffn.activation",
                ffn.activation(), "has no hidden_act for it");
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        Positional.Rope rope = (Positional.Rope) spec.positional();
        out.put("hidden_size", spec.dModel());
        out.put("num_hidden_layers", spec.layers());
        out.put("num_attention_heads", spec.attention().heads());
        out.put("num_key_value_heads", spec.attention().kvHeads());
        out.put("intermediate_size", spec.ffnDim());
        out.put("hidden_act", HfActivation.write(spec.ffn().activation(), HfModelType.PHI));
        out.put("layer_norm_eps", spec.norm().eps());
        out.put("max_position_embeddings", spec.contextLength());
        out.put("partial_rotary_factor", HfRope.partialRotaryFactor(rope, spec.headDim()));
        HfRope.write(rope, spec.contextLength(), out);
        out.put("qk_layernorm", false);
        out.put("tie_word_embeddings", spec.tiedEmbeddings());
        out.put("vocab_size", spec.vocabSize());
    }
}
