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
 * FalconConfig: a pre-LayerNorm decoder with RoPE (halves pairing), usually a parallel block
 * ({@code parallel_attn}: attention and MLP read the same normalised input), one {@code bias} flag for every
 * projection, tied output head by default. Its K/V heads come from three fields:
 * <pre>
 *  new_decoder_architecture  multi_query   K/V heads
 *  false                     true          1                 (Falcon-7B)
 *  false                     false         num_attention_heads
 *  true                      (ignored)     num_kv_heads      (Falcon-40B, -180B)
 * </pre>
 * The new architecture normalises attention and MLP inputs separately ({@code ln_attn}, {@code ln_mlp})
 * unless {@code num_ln_in_parallel_attn = 1}; llmgraph's parallel block shares one norm, so it reads only the
 * latter. Falcon's ALiBi adds the bias before the 1/sqrt(headDim) scale, unlike BLOOM's (and llmgraph's),
 * which adds it after; {@code alibi = true} is refused rather than run with different slopes.
 */
final class FalconFamily implements HfFamily {
    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers", "n_layer");
        int heads = f.requiredSize("num_attention_heads", "heads", "n_head");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        HfFamily.requireDivisible(f, d, heads, "hidden_size", "num_attention_heads");
        if (f.flag("alibi", false)) {
            throw f.error("alibi", "field 'alibi' = true has no llmgraph equivalent: HF falcon adds ALiBi to the "
                    + "logits before scaling them by 1/sqrt(headDim), llmgraph (like BLOOM) after");
        }
        if (f.flag("apply_residual_connection_post_layernorm", false)) {
            throw f.error("apply_residual_connection_post_layernorm", "field 'apply_residual_connection_post_layernorm'"
                    + " = true has no llmgraph equivalent; llmgraph's residual adds a block's input, not its normalised "
                    + "input");
        }
        boolean parallel = f.flag("parallel_attn", true);
        boolean bias = f.flag("bias", false);
        int context = f.optionalSize("max_position_embeddings", 2048);
        Attention attention = Attention.grouped(heads, kvHeads(f, heads, parallel)).withBias(bias);
        return Transformer.causalDecoder(f.modelName("falcon"))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(attention)
                .positional(HfRope.read(f, context, HfModelType.FALCON.facts().ropePairing()))
                .norm(Norm.layer(f.number("layer_norm_epsilon", 1e-5)), NormPlacement.PRE)
                .ffn(new Ffn(HfActivation.read(f, "activation", "gelu"), false, f.optionalSize("ffn_hidden_size", 4 * d),
                        bias))
                .parallelBlock(parallel)
                .tiedEmbeddings(f.flag("tie_word_embeddings", true))
                .build();
    }

    private static int kvHeads(ConfigFields f, int heads, boolean parallel) {
        Integer given = f.optionalInt("num_kv_heads");
        if (f.flag("new_decoder_architecture", false)) {
            if (!parallel) {
                throw f.error("parallel_attn", "field 'parallel_attn' = false contradicts 'new_decoder_architecture' "
                        + "= true, which runs attention and MLP in parallel");
            }
            int norms = f.optionalSize("num_ln_in_parallel_attn", 2);
            if (norms != 1) {
                throw f.error("num_ln_in_parallel_attn", "field 'num_ln_in_parallel_attn' = " + norms + " (2 is the "
                        + "default of the new decoder architecture) gives attention and MLP separate LayerNorms, "
                        + "which llmgraph's parallel block (one shared norm) does not express");
            }
            return given == null ? heads : f.optionalSize("num_kv_heads", heads);
        }
        // HF ignores num_kv_heads here; a re-saved config carries num_attention_heads in it, anything else is a slip.
        boolean multiQuery = f.flag("multi_query", true);
        int implied = multiQuery ? 1 : heads;
        if (given != null && given != implied && given != heads) {
            throw f.error("num_kv_heads", "field 'num_kv_heads' = " + given + " contradicts 'multi_query' = "
                    + multiQuery + " (" + (multiQuery ? "one K/V head" : "one K/V head per query head")
                    + "); grouped K/V heads need 'new_decoder_architecture' = true");
        }
        return implied;
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.FALCON).common();
        fit.rope();
        fit.familyNorm();
        Ffn ffn = spec.ffn();
        Attention a = spec.attention();
        fit.require(!ffn.gated(), "ffn", ffn, "has an ungated MLP (dense_h_to_4h, dense_4h_to_h)");
        fit.require(HfActivation.write(ffn.activation(), HfModelType.FALCON) != null, "ffn.activation",
                ffn.activation(), "has no activation for it");
        boolean bias = ffn.bias();
        fit.require(a.qkvBias() == bias && a.outBias() == bias, "attention bias", SpecFit.biases(a) + " with ffn.bias = "
                + bias, "has one bias flag for every projection");
        fit.require(spec.parallelBlock() || a.kvHeads() == 1 || a.kvHeads() == a.heads(), "attention.kvHeads",
                a.kvHeads() + " with parallelBlock = false", "groups K/V heads only in its new decoder architecture, "
                        + "which is parallel");
        fit.implicitHeadDim();
        fit.defaultSoftmaxScale();
        fit.noWindow();
        fit.noEmbeddingNorm();
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        Attention a = spec.attention();
        boolean grouped = a.kvHeads() != 1 && a.kvHeads() != a.heads();
        out.put("hidden_size", spec.dModel());
        out.put("num_hidden_layers", spec.layers());
        out.put("num_attention_heads", a.heads());
        out.put("num_kv_heads", a.kvHeads());
        out.put("multi_query", a.kvHeads() == 1);
        out.put("new_decoder_architecture", grouped);
        if (grouped) {
            out.put("num_ln_in_parallel_attn", 1);
        }
        out.put("parallel_attn", spec.parallelBlock());
        out.put("bias", spec.ffn().bias());
        out.put("alibi", false);
        out.put("activation", HfActivation.write(spec.ffn().activation(), HfModelType.FALCON));
        out.put("ffn_hidden_size", spec.ffnDim());
        out.put("layer_norm_epsilon", spec.norm().eps());
        out.put("max_position_embeddings", spec.contextLength());
        HfRope.write((Positional.Rope) spec.positional(), spec.contextLength(), out);
        out.put("tie_word_embeddings", spec.tiedEmbeddings());
        out.put("vocab_size", spec.vocabSize());
    }
}
