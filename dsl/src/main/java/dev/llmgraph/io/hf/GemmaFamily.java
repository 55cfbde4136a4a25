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
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * Gemma2Config and Gemma3TextConfig: RMSNorm before and after each sublayer (input_layernorm, post_attention_layernorm,
 * pre_feedforward_layernorm, post_feedforward_layernorm), embeddings scaled by sqrt(hidden_size), GeGLU with
 * {@code hidden_activation}, grouped-query attention with q scaled by {@code query_pre_attn_scalar}^-1/2, RoPE on
 * halves, tied embeddings unless {@code tie_word_embeddings} is false. The checkpoints store each norm's gain minus
 * one ({@link HfModelType#storesNormGainsMinusOne}).
 * <pre>
 *                     gemma2                                    gemma3_text
 *  sliding window     on every other layer (0, 2, 4, ...:       on five layers of six (layer 5, 11, ... global:
 *                     {@link SlidingWindow#withGlobalEvery} 2)  sliding_window_pattern 6); or layer_types
 *  soft-caps          attn_logit_softcapping,                   as gemma2, both null by default
 *                     final_logit_softcapping (null for none)
 *  QK-norm            none                                      q_norm, k_norm per head (of head_dim)
 *  sliding layers'    rope_theta as the global layers           rope_local_base_freq, without rope_scaling
 *  RoPE                                                         ({@link dev.llmgraph.spec.Positional.Rope#slidingTheta})
 * </pre>
 * Gemma 3's image-and-text checkpoints (model_type gemma3, Gemma3ForConditionalGeneration) nest this config in
 * {@code text_config}; llmgraph reads their text model ({@link Gemma3ImageText}). gemma3_text's rope_theta defaults
 * to 1000000, as Gemma3TextConfig's.
 */
final class GemmaFamily implements HfFamily {
    /** The configs' head_dim and query_pre_attn_scalar when config.json leaves them out. */
    private static final int HEAD_DIM = 256;

    /** Gemma3TextConfig's rope_theta. */
    private static final ObjectNode ROPE_THETA_1E6 = HfConfig.JSON.createObjectNode().put("rope_theta", 1_000_000.0);

    private final HfModelType type;

    GemmaFamily(HfModelType type) {
        this.type = type;
    }

    private boolean gemma3() {
        return type == HfModelType.GEMMA3;
    }

    @Override
    public ModelSpec read(ConfigFields config) {
        ConfigFields f = gemma3() && !config.has("rope_parameters") ? config.withDefaults(ROPE_THETA_1E6) : config;
        DecoderSizes size = DecoderSizes.readWithHeadDim(f, 4, gemma3() ? 131072 : 8192, HEAD_DIM);
        int d = size.dModel(), layers = size.layers(), heads = size.heads(), kvHeads = size.kvHeads();
        int ffnWidth = size.ffnWidth(), vocab = size.vocab(), context = size.context(), headDim = size.headDim();
        double scalar = f.number("query_pre_attn_scalar", HEAD_DIM);
        if (!(scalar > 0)) {
            throw f.error("query_pre_attn_scalar", "field 'query_pre_attn_scalar' = " + scalar + " must be positive: "
                    + "q is scaled by its inverse square root");
        }
        boolean bias = f.flag("attention_bias", false);
        SlidingWindow window = window(f, layers);
        Attention attention = Attention.grouped(heads, kvHeads).withHeadDim(headDim).withBias(bias, bias)
                .withSlidingWindow(window).withQkNorm(type.facts().qkNorm()).withScaledQueries(gemma3())
                .withLogitSoftcap(softcap(f, "attn_logit_softcapping", gemma3() ? 0 : 50));
        if (scalar != headDim) {
            attention = attention.withSoftmaxScale(1 / Math.sqrt(scalar));
        }
        Positional.Rope rope = HfRope.read(f, context, type.facts().ropePairing());
        if (gemma3() && window != null) {
            rope = rope.withSlidingTheta(f.number("rope_local_base_freq", 10_000));
        }
        Activation act = HfActivation.read(f, f.has("hidden_activation") ? "hidden_activation" : "hidden_act",
                "gelu_pytorch_tanh");
        return Transformer.causalDecoder(f.modelName(type.id()))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(attention)
                .positional(rope)
                .norm(Norm.rms(f.number("rms_norm_eps", 1e-6)), NormPlacement.SANDWICH)
                .ffn(new Ffn(act, true, ffnWidth, false))
                .embeddings(Embeddings.untied().withTied(f.flag("tie_word_embeddings", true)).withScale(Math.sqrt(d)))
                .finalLogitSoftcap(softcap(f, "final_logit_softcapping", gemma3() ? 0 : 30))
                .build();
    }

    /** A soft-cap; null (or absent in a config that says null) is none, 0. */
    private static double softcap(ConfigFields f, String field, double fallback) {
        return f.isExplicitNull(field) ? 0 : f.number(field, fallback);
    }

    /**
     * layer_types where given; else sliding_window (null: none; default 4096) with one global layer every 2 (gemma2)
     * or every sliding_window_pattern (gemma3, default 6).
     */
    private SlidingWindow window(ConfigFields f, int layers) {
        if (f.has("layer_types")) {
            return LayerTypes.window(f, layers);
        }
        if (f.isExplicitNull("sliding_window")) {
            return null;
        }
        int globalEvery = gemma3() ? f.optionalSize("sliding_window_pattern", 6) : 2;
        return SlidingWindow.withGlobalEvery(f.optionalSize("sliding_window", 4096), globalEvery);
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, type).sandwich();
        fit.rope();
        fit.familyNorm();
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        fit.attentionBiasOnAllOrNone();
        Ffn ffn = spec.ffn();
        fit.require(ffn.gated() && !ffn.bias(), "ffn", ffn, "has a gated FFN without biases");
        fit.require(HfActivation.write(ffn.activation(), type) != null, "ffn.activation",
                ffn.activation(), "has no hidden_activation for it");
        double scale = spec.embeddings().scale();
        fit.require((float) scale == (float) Math.sqrt(spec.dModel()), "embeddings.scale", scale,
                "scales the embeddings by sqrt(hidden_size) = " + Math.sqrt(spec.dModel()));
        SlidingWindow window = spec.attention().window();
        if (gemma3()) {
            fit.require(window == null || window.globalEvery() > 0, "attention.window", window,
                    "has one global layer every sliding_window_pattern layers, or no window");
            Positional.Rope rope = spec.rope();
            if (rope != null && window != null) {
                fit.require(!rope.scalesSlidingLayers(),
                        "positional.slidingTheta", rope.slidingTheta(), "rotates the sliding layers without "
                        + "rope_scaling, with rope_local_base_freq: give them their base with withSlidingTheta");
            }
        } else {
            fit.require(window == null || window.globalEvery() == 2, "attention.window", window,
                    "slides on every other layer (0, 2, 4, ...) or on none");
        }
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        Attention a = spec.attention();
        HfFamily.writeDecoderFields(spec, true, out);                 // the configs' head_dim defaults to 256
        out.put("intermediate_size", spec.ffnDim());
        String activation = HfActivation.write(spec.ffn().activation(), type);
        out.put("hidden_activation", activation);
        out.put("hidden_act", activation);
        out.put("attention_bias", a.qkvBias());
        out.put("query_pre_attn_scalar", queryScalar(spec));
        out.put("sliding_window", a.window() == null ? null : a.window().size());
        if (gemma3()) {
            LayerTypes.write(a.window(), spec.layers(), out);
            if (a.window() != null) {
                out.put("sliding_window_pattern", a.window().globalEvery());
                out.put("rope_local_base_freq", ((Positional.Rope) spec.positional()).onSlidingLayers().theta());
            }
        }
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
