package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * Gemma2Config: RMSNorm before and after each sublayer (input_layernorm, post_attention_layernorm,
 * pre_feedforward_layernorm, post_feedforward_layernorm), embeddings scaled by sqrt(hidden_size), GeGLU with
 * {@code hidden_activation}, grouped-query attention with q scaled by {@code query_pre_attn_scalar}^-1/2, a sliding
 * window on every other layer (0, 2, 4, ...: llmgraph's {@link SlidingWindow#withGlobalEvery} 2, or
 * {@code layer_types}), attention and output logits soft-capped ({@code attn_logit_softcapping},
 * {@code final_logit_softcapping}; null for none), RoPE on halves, tied embeddings. The checkpoints store each norm's
 * gain minus one ({@link HfModelType#storesNormGainsMinusOne}).
 */
final class Gemma2Family implements HfFamily {
    /** Gemma2Config's head_dim, query_pre_attn_scalar and sliding_window when config.json leaves them out. */
    private static final int HEAD_DIM = 256, WINDOW = 4096;

    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers");
        int heads = f.requiredSize("num_attention_heads", "heads");
        int kvHeads = f.optionalSize("num_key_value_heads", 4);
        int ffnWidth = f.requiredSize("intermediate_size", "the FFN width");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        int context = f.optionalSize("max_position_embeddings", 8192);
        int headDim = f.optionalSize("head_dim", HEAD_DIM);
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "field 'num_key_value_heads' = " + kvHeads + " must divide "
                    + "'num_attention_heads' = " + heads);
        }
        double scalar = f.number("query_pre_attn_scalar", HEAD_DIM);
        if (!(scalar > 0)) {
            throw f.error("query_pre_attn_scalar", "field 'query_pre_attn_scalar' = " + scalar + " must be positive: "
                    + "q is scaled by its inverse square root");
        }
        boolean bias = f.flag("attention_bias", false);
        Attention attention = Attention.grouped(heads, kvHeads).withHeadDim(headDim).withBias(bias, bias)
                .withSlidingWindow(window(f, layers)).withLogitSoftcap(softcap(f, "attn_logit_softcapping", 50));
        if (scalar != headDim) {
            attention = attention.withSoftmaxScale(1 / Math.sqrt(scalar));
        }
        Activation act = HfActivation.read(f, f.has("hidden_activation") ? "hidden_activation" : "hidden_act",
                "gelu_pytorch_tanh");
        return Transformer.causalDecoder(f.modelName(HfModelType.GEMMA2.id()))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(attention)
                .positional(HfRope.read(f, context, HfModelType.GEMMA2.facts().ropePairing()))
                .norm(Norm.rms(f.number("rms_norm_eps", 1e-6)), NormPlacement.SANDWICH)
                .ffn(new Ffn(act, true, ffnWidth, false))
                .embeddings(Embeddings.untied().withTied(f.flag("tie_word_embeddings", true)).withScale(Math.sqrt(d)))
                .finalLogitSoftcap(softcap(f, "final_logit_softcapping", 30))
                .build();
    }

    /** A soft-cap; null (or absent in a config that says null) is none, 0. */
    private static double softcap(ConfigFields f, String field, double fallback) {
        return f.isExplicitNull(field) ? 0 : f.number(field, fallback);
    }

    /** layer_types where given; else sliding_window (null: none) on every other layer, starting with layer 0. */
    private static SlidingWindow window(ConfigFields f, int layers) {
        if (f.has("layer_types")) {
            return LayerTypes.window(f, layers);
        }
        if (f.isExplicitNull("sliding_window")) {
            return null;
        }
        return SlidingWindow.withGlobalEvery(f.optionalSize("sliding_window", WINDOW), 2);
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.GEMMA2).sandwich();
        fit.rope();
        fit.familyNorm();
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        fit.attentionBiasOnAllOrNone();
        Ffn ffn = spec.ffn();
        fit.require(ffn.gated() && !ffn.bias(), "ffn", ffn, "has a gated FFN without biases");
        fit.require(HfActivation.write(ffn.activation(), HfModelType.GEMMA2) != null, "ffn.activation",
                ffn.activation(), "has no hidden_activation for it");
        double scale = spec.embeddings().scale();
        fit.require((float) scale == (float) Math.sqrt(spec.dModel()), "embeddings.scale", scale,
                "scales the embeddings by sqrt(hidden_size) = " + Math.sqrt(spec.dModel()));
        SlidingWindow window = spec.attention().window();
        fit.require(window == null || window.globalEvery() == 2, "attention.window", window,
                "slides on every other layer (0, 2, 4, ...) or on none");
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        Attention a = spec.attention();
        HfFamily.writeDecoderFields(spec, true, out);                 // Gemma2Config's head_dim defaults to 256
        out.put("intermediate_size", spec.ffnDim());
        String activation = HfActivation.write(spec.ffn().activation(), HfModelType.GEMMA2);
        out.put("hidden_activation", activation);
        out.put("hidden_act", activation);
        out.put("attention_bias", a.qkvBias());
        out.put("query_pre_attn_scalar", queryScalar(spec));
        out.put("sliding_window", a.window() == null ? null : a.window().size());
        putSoftcap(out, "attn_logit_softcapping", a.logitSoftcap());
        putSoftcap(out, "final_logit_softcapping", spec.finalLogitSoftcap());
    }

    /** 1 / scale^2, a whole number where it is one (Gemma 2 27B: 144), headDim for the default 1/sqrt(headDim). */
    private static double queryScalar(ModelSpec spec) {
        double scale = spec.attention().softmaxScale();
        if (scale == 0) {
            return spec.headDim();
        }
        double scalar = 1 / (scale * scale);
        return Math.abs(scalar - Math.rint(scalar)) < 1e-9 * scalar ? Math.rint(scalar) : scalar;
    }

    private static void putSoftcap(ObjectNode out, String field, double cap) {
        if (cap == 0) {
            out.putNull(field);
        } else {
            out.put(field, cap);
        }
    }
}
