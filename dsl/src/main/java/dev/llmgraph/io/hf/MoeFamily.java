package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * MixtralConfig, Qwen2MoeConfig, Qwen3MoeConfig and OlmoeConfig: LLaMA-shaped decoders (pre-RMSNorm, RoPE,
 * grouped-query attention) whose FFN is a mixture of gated experts.
 * <pre>
 *                   mixtral                       qwen2_moe, qwen3_moe                    olmoe
 *  experts          num_local_experts of          num_experts of moe_intermediate_size    num_experts of
 *                   intermediate_size                                                     intermediate_size
 *  per token        num_experts_per_tok           num_experts_per_tok                     num_experts_per_tok
 *  router           softmax, top-k, renormalised  softmax, top-k, renormalised if         as qwen
 *                                                 norm_topk_prob
 *  shared experts   none                          qwen2_moe: one FFN of                   none
 *                                                 shared_expert_intermediate_size behind
 *                                                 a sigmoid gate; qwen3_moe: none
 *  dense layers     none                          mlp_only_layers (llmgraph: the first    none
 *                                                 k), an FFN of intermediate_size
 *  attention biases none                          qwen2_moe: q, k and v; qwen3_moe:       attention_bias on all four
 *                                                 attention_bias on q, k, v and o
 *  QK-norm          none                          qwen3_moe: per head (of head_dim)       over the whole q and k
 *                                                                                         projections
 *  RoPE             read as ADJACENT (q/k rows    HALVES (nothing permuted, as llama.cpp's qwen2moe, qwen3moe and
 *                   permuted, as llama.cpp's      olmoe)
 *                   converter does)
 * </pre>
 * A count of shared experts is no field of Qwen2MoeConfig: the shared FFN reads back as
 * shared_expert_intermediate_size / moe_intermediate_size experts as wide as the routed ones when that divides
 * (Qwen1.5-MoE-A2.7B: 5632 / 1408 = 4, the Qwen blog's "4 shared experts"), else as one expert.
 */
final class MoeFamily implements HfFamily {
    private final HfModelType type;

    MoeFamily(HfModelType type) {
        this.type = type;
    }

    private boolean mixtral() {
        return type == HfModelType.MIXTRAL;
    }

    private boolean qwen3() {
        return type == HfModelType.QWEN3_MOE;
    }

    private boolean olmoe() {
        return type == HfModelType.OLMOE;
    }

    /** mixtral and olmoe: the experts are intermediate_size wide, and no layer has a dense FFN. */
    private boolean expertsAreTheFfn() {
        return mixtral() || olmoe();
    }

    /** qwen3_moe and olmoe: one attention_bias flag for q, k, v and o. */
    private boolean oneBiasFlag() {
        return qwen3() || olmoe();
    }

    /** The config class's defaults for fields a config may leave out; kvHeads 0 means as many as the query heads. */
    private record Defaults(int kvHeads, int context, int experts, int perToken, double eps) {}

    private Defaults defaults() {
        return switch (type) {
            case MIXTRAL -> new Defaults(8, 4096 * 32, 8, 2, 1e-5);
            case QWEN3_MOE -> new Defaults(4, 32768, 128, 8, 1e-6);
            case OLMOE -> new Defaults(0, 4096, 64, 8, 1e-5);
            default -> new Defaults(0, 8192, 60, 4, 1e-6); // qwen2_moe
        };
    }

    @Override
    public ModelSpec read(ConfigFields f) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers");
        int heads = f.requiredSize("num_attention_heads", "heads");
        Defaults defaults = defaults();
        int kvHeads = f.optionalSize("num_key_value_heads", defaults.kvHeads() == 0 ? heads : defaults.kvHeads());
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        int context = f.optionalSize("max_position_embeddings", defaults.context());
        int headDim = olmoe() ? 0 : f.optionalSize("head_dim", 0); // OLMoE's q_norm is hidden_size wide
        if (headDim == 0) {
            HfFamily.requireDivisible(f, d, heads, "hidden_size", "num_attention_heads");
        }
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "field 'num_key_value_heads' = " + kvHeads + " must divide "
                    + "'num_attention_heads' = " + heads);
        }
        String expertsField = mixtral() ? "num_local_experts" : "num_experts";
        int experts = f.optionalSize(expertsField, defaults.experts());
        int k = f.optionalSize("num_experts_per_tok", defaults.perToken());
        if (k > experts) {
            throw f.error("num_experts_per_tok", "field 'num_experts_per_tok' = " + k + " is more than '"
                    + expertsField + "' = " + experts + ": a token goes to at most every expert once; lower "
                    + "num_experts_per_tok or raise " + expertsField);
        }
        Activation act = HfActivation.read(f, "hidden_act", "silu");
        boolean biasOnAll = oneBiasFlag() && f.flag("attention_bias", false);
        if (olmoe() && f.get("clip_qkv") != null && !f.get("clip_qkv").isNull()) {
            throw f.error("clip_qkv", "field 'clip_qkv' = " + f.get("clip_qkv") + " clamps q, k and v, which llmgraph "
                    + "does not do; set it to null");
        }
        Attention attention = Attention.grouped(heads, kvHeads).withHeadDim(headDim)
                .withBias(type == HfModelType.QWEN2_MOE || biasOnAll, biasOnAll).withSlidingWindow(window(f))
                .withQkNorm(type.facts().qkNorm());
        Moe moe = expertsAreTheFfn() ? ffnWideExperts(f, act, experts, k) : qwenExperts(f, act, experts, k, layers);
        int denseWidth = expertsAreTheFfn() ? moe.expert().width()
                : f.requiredSize("intermediate_size", "the FFN width");
        return Transformer.causalDecoder(f.modelName(type.id()))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(attention)
                .positional(HfRope.read(f, context, type.facts().ropePairing()))
                .norm(Norm.rms(f.number("rms_norm_eps", defaults.eps())), NormPlacement.PRE)
                .ffn(new Ffn(act, true, denseWidth, false))
                .moe(moe)
                .tiedEmbeddings(f.flag("tie_word_embeddings", false))
                .build();
    }

    /** Mixtral's and OLMoE's experts, intermediate_size wide: Mixtral renormalises, OLMoE as norm_topk_prob says. */
    private Moe ffnWideExperts(ConfigFields f, Activation act, int experts, int k) {
        Ffn expert = new Ffn(act, true, f.requiredSize("intermediate_size", "the experts' width"), false);
        return new Moe(experts, k, expert, SharedExperts.none(), mixtral() ? Router.softmaxRenormalised() : router(f),
                0);
    }

    private static Router router(ConfigFields f) {
        return f.flag("norm_topk_prob", false) ? Router.softmaxRenormalised() : Router.softmax();
    }

    private Moe qwenExperts(ConfigFields f, Activation act, int experts, int k, int layers) {
        Ffn expert = new Ffn(act, true, f.requiredSize("moe_intermediate_size", "the experts' width"), false);
        SharedExperts shared = qwen3() ? SharedExperts.none() : sharedExperts(f, expert);
        Router router = router(f);
        int step = f.optionalSize("decoder_sparse_step", 1);
        if (step != 1) {
            throw f.error("decoder_sparse_step", "field 'decoder_sparse_step' = " + step + " makes every " + step
                    + "-th layer sparse, which llmgraph's mixture (dense layers first, then every layer sparse) does "
                    + "not express; use 1");
        }
        return new Moe(experts, k, expert, shared, router, denseLayersFirst(f, layers));
    }

    /** Qwen2-MoE's shared FFN, read as experts as wide as the routed ones where its width divides, else as one. */
    private static SharedExperts sharedExperts(ConfigFields f, Ffn expert) {
        int sharedWidth = f.requiredSize("shared_expert_intermediate_size", "the shared expert's width");
        return sharedWidth % expert.width() == 0
                ? new SharedExperts(sharedWidth / expert.width(), expert.width(), true)
                : new SharedExperts(1, sharedWidth, true);
    }

    /** mlp_only_layers, which llmgraph reads when they are the first layers: [0, 1, ..., n - 1]. */
    private static int denseLayersFirst(ConfigFields f, int layers) {
        JsonNode list = f.get("mlp_only_layers");
        if (list == null || list.isNull()) {
            return 0;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).isInt() || list.get(i).asInt() != i) {
                throw f.error("mlp_only_layers", "field 'mlp_only_layers' = " + list + " is not the first layers "
                        + "[0, 1, ..., n - 1]; llmgraph's dense layers come first (DeepSeek's first_k_dense_replace)");
            }
        }
        return Math.min(list.size(), layers);
    }

    private SlidingWindow window(ConfigFields f) {
        if (olmoe()) {
            return null; // OlmoeConfig has no window
        }
        if (mixtral()) {
            JsonNode given = f.get("sliding_window");
            return given == null || given.isNull() ? null : SlidingWindow.everyLayer(f.optionalSize("sliding_window",
                    4096));
        }
        if (f.flag("use_sliding_window", false)) {
            throw f.error("use_sliding_window", "field 'use_sliding_window' = true: " + (qwen3() ? "Qwen3" : "Qwen2")
                    + "-MoE's window, which llmgraph does not read; set it to false");
        }
        return null;
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, type).common();
        fit.rope();
        fit.familyNorm();
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        fit.defaultSoftmaxScale();
        Moe moe = spec.moe();
        if (moe == null) {
            return fit.problems();
        }
        Ffn expert = moe.expert();
        fit.require(expert.gated() && !expert.bias(), "moe.expert", expert, "has gated experts without biases");
        fit.require(HfActivation.write(expert.activation(), type) != null, "moe.expert.activation",
                expert.activation(), "has no hidden_act for it");
        fit.require(spec.ffn().activation() == expert.activation() && spec.ffn().gated() && !spec.ffn().bias(), "ffn",
                spec.ffn(), "has one hidden_act for the dense FFN and the experts, gated, without biases");
        fit.require(moe.routesEveryLayer(), "moe.sparseLayers", moe.sparseLayers(), "routes every layer after the "
                + "leading dense ones");
        if (mixtral()) {
            fit.attentionBias(false, false, "has no attention biases");
            fit.windowOnEveryLayerOrNone();
            fit.require(moe.router().equals(Router.softmaxRenormalised()), "moe.router", moe.router(),
                    "routes by softmax, top-k, renormalised");
        } else {
            if (olmoe()) {
                fit.implicitHeadDim();
            }
            if (oneBiasFlag()) {
                fit.attentionBiasOnAllOrNone();
            } else {
                fit.attentionBias(true, false, "has biases on q, k and v and none on o");
            }
            fit.noWindow();
            fit.require(moe.router().equals(Router.softmax()) || moe.router().equals(Router.softmaxRenormalised()),
                    "moe.router", moe.router(), "routes by softmax, top-k, renormalised or not (norm_topk_prob)");
        }
        SharedExperts shared = moe.shared();
        if (type == HfModelType.QWEN2_MOE) {
            fit.require(shared.present() && shared.sigmoidGate(), "moe.shared", shared,
                    "has one sigmoid-gated shared expert");
            fit.require(!shared.present() || shared.count() == 1 || shared.width() == expert.width(), "moe.shared",
                    shared, "gives the shared experts as one width; several read back only as wide as the routed "
                    + "ones");
        } else {
            fit.require(!shared.present(), "moe.shared", shared, "has no shared experts");
        }
        if (expertsAreTheFfn()) {
            fit.require(moe.denseLayers() == 0, "moe.denseLayers", moe.denseLayers(), "routes every layer");
            fit.require(spec.ffnDim() == expert.width(), "ffn", spec.ffn(), "has no dense FFN; leave .ffn(...) "
                    + "unset or give it the experts' width " + expert.width());
        }
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        Attention a = spec.attention();
        Moe moe = spec.moe();
        HfFamily.writeDecoderFields(spec, false, out);
        out.put("hidden_act", HfActivation.write(moe.expert().activation(), type));
        out.put("num_experts_per_tok", moe.expertsPerToken());
        if (mixtral()) {
            out.put("intermediate_size", moe.expert().width());
            out.put("num_local_experts", moe.experts());
            Integer window = a.window() == null ? null : a.window().size();
            out.put("sliding_window", window);
            return;
        }
        if (olmoe()) {
            out.put("intermediate_size", moe.expert().width());
            out.put("num_experts", moe.experts());
            out.put("norm_topk_prob", moe.router().renormalise());
            out.put("attention_bias", a.qkvBias());
            out.putNull("clip_qkv");
            return;
        }
        out.put("intermediate_size", spec.ffnDim());
        out.put("moe_intermediate_size", moe.expert().width());
        out.put("num_experts", moe.experts());
        if (qwen3()) {
            out.put("attention_bias", a.qkvBias());
        } else {
            out.put("shared_expert_intermediate_size", moe.shared().totalWidth());
        }
        out.put("norm_topk_prob", moe.router().renormalise());
        out.put("decoder_sparse_step", 1);
        ArrayNode dense = out.putArray("mlp_only_layers");
        for (int i = 0; i < moe.denseLayers(); i++) {
            dense.add(i);
        }
        out.put("use_sliding_window", false);
    }
}
