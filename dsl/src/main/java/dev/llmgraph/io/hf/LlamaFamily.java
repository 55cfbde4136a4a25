package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * LlamaConfig, MistralConfig, Qwen2Config and Qwen3Config: a pre-RMSNorm decoder with RoPE, a gated FFN and
 * grouped-query attention. They differ in biases (llama: {@code attention_bias} on q, k, v and o, {@code mlp_bias};
 * mistral: none; qwen2: q, k and v but not o; qwen3: {@code attention_bias} on q, k, v and o), in sliding windows
 * (llama: none; mistral: {@code sliding_window} on every layer; qwen2 and qwen3: {@code use_sliding_window} from
 * layer {@code max_window_layers} up), in QK-norm (qwen3 RMS-normalises q and k per head with {@code q_norm} and
 * {@code k_norm}, the others do not) and in their defaults (qwen3's {@code head_dim} is 128 when absent, the others'
 * hidden_size / num_attention_heads).
 *
 * <p>HF's q and k rows rotate in halves. Read as llama or mistral, the spec uses {@link RopePairing#ADJACENT}
 * and the q/k rows are permuted on load, as llama.cpp's converter does for its llama architecture; read as
 * qwen2 or qwen3 it uses {@link RopePairing#HALVES} and nothing is permuted, as llama.cpp does for them.
 */
final class LlamaFamily implements HfFamily {
    /** Qwen3Config's head_dim when config.json leaves it out. */
    private static final int QWEN3_HEAD_DIM = 128;

    private final HfModelType type;

    LlamaFamily(HfModelType type) {
        this.type = type;
    }

    @Override
    public ModelSpec read(ConfigFields f) {
        DecoderSizes size = DecoderSizes.readWithHeadDim(f, 0, switch (type) {
            case MISTRAL -> 4096 * 32;
            case QWEN2, QWEN3 -> 32768;
            default -> 2048;
        }, type == HfModelType.QWEN3 ? QWEN3_HEAD_DIM : 0);
        int d = size.dModel(), layers = size.layers(), heads = size.heads(), kvHeads = size.kvHeads();
        int ffnWidth = size.ffnWidth(), vocab = size.vocab(), context = size.context(), headDim = size.headDim();
        boolean biasOnAll = (type == HfModelType.LLAMA || type == HfModelType.QWEN3) && f.flag("attention_bias", false);
        boolean qkvBias = type == HfModelType.QWEN2 || biasOnAll;
        boolean mlpBias = type == HfModelType.LLAMA && f.flag("mlp_bias", false);
        Attention attention = Attention.grouped(heads, kvHeads).withHeadDim(headDim).withBias(qkvBias, biasOnAll)
                .withSlidingWindow(window(f, layers)).withQkNorm(type.facts().qkNorm());
        RopePairing pairing = type.facts().ropePairing();
        return Transformer.causalDecoder(f.modelName(type.id()))
                .vocabSize(vocab).dModel(d).layers(layers).contextLength(context)
                .attention(attention)
                .positional(HfRope.read(f, context, pairing))
                .norm(Norm.rms(f.number("rms_norm_eps", 1e-6)), NormPlacement.PRE)
                .ffn(new Ffn(HfActivation.read(f, "hidden_act", "silu"), true, ffnWidth, mlpBias))
                .tiedEmbeddings(f.flag("tie_word_embeddings", false))
                .build();
    }

    private SlidingWindow window(ConfigFields f, int layers) {
        if (type == HfModelType.LLAMA) {
            return null;
        }
        if (f.has("layer_types")) {
            return LayerTypes.window(f, layers);
        }
        if (type == HfModelType.MISTRAL) {
            // MistralConfig defaults to a window of 4096; an explicit null turns it off (v0.2 and later).
            JsonNode given = f.get("sliding_window");
            return given == null && f.isExplicitNull("sliding_window") ? null
                    : SlidingWindow.everyLayer(f.optionalSize("sliding_window", 4096));
        }
        if (!f.flag("use_sliding_window", false)) {
            return null;
        }
        if (!f.has("sliding_window") && f.isExplicitNull("sliding_window")) {
            throw f.error("sliding_window", "field 'sliding_window' is null while 'use_sliding_window' = true");
        }
        int size = f.optionalSize("sliding_window", 4096);
        Integer given = f.optionalInt("max_window_layers");
        int fullLayers = given == null ? 28 : given;
        if (fullLayers < 0) {
            throw f.error("max_window_layers", "field 'max_window_layers' = " + fullLayers + " must be 0 or more");
        }
        if (fullLayers >= layers) {
            return null;
        }
        if (fullLayers > 0) {
            throw f.error("max_window_layers", "field 'max_window_layers' = " + fullLayers + " makes layers "
                    + fullLayers + " to " + (layers - 1) + " slide and the ones below attend fully, which llmgraph's "
                    + "sliding window (every layer, or every n-th layer global) does not express");
        }
        return SlidingWindow.everyLayer(size);
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, type).common();
        fit.rope();
        fit.familyNorm();
        Ffn ffn = spec.ffn();
        fit.require(ffn.gated(), "ffn", ffn, "has a gated FFN (gate_proj, up_proj, down_proj)");
        fit.require(HfActivation.write(ffn.activation(), type) != null, "ffn.activation", ffn.activation(),
                "has no hidden_act for it");
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        fit.defaultSoftmaxScale();
        switch (type) {
            case LLAMA -> {
                fit.attentionBiasOnAllOrNone();
                fit.noWindow();
            }
            case QWEN3 -> {
                fit.attentionBiasOnAllOrNone();
                fit.require(!ffn.bias(), "ffn.bias", true, "has no FFN biases");
                fit.windowOnEveryLayerOrNone();
            }
            case MISTRAL -> {
                fit.attentionBias(false, false, "has no attention biases");
                fit.require(!ffn.bias(), "ffn.bias", true, "has no FFN biases");
                fit.windowOnEveryLayerOrNone();
            }
            default -> {
                fit.attentionBias(true, false, "has biases on q, k and v and none on o");
                fit.require(!ffn.bias(), "ffn.bias", true, "has no FFN biases");
                fit.windowOnEveryLayerOrNone();
            }
        }
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        Attention a = spec.attention();
        HfFamily.writeDecoderFields(spec, type == HfModelType.QWEN3, out);   // qwen3 would read its own default, 128
        out.put("intermediate_size", spec.ffnDim());
        out.put("hidden_act", HfActivation.write(spec.ffn().activation(), type));
        Integer window = a.window() == null ? null : a.window().size();
        switch (type) {
            case LLAMA -> {
                out.put("attention_bias", a.qkvBias());
                out.put("mlp_bias", spec.ffn().bias());
            }
            case MISTRAL -> out.put("sliding_window", window);
            case QWEN3 -> {
                out.put("attention_bias", a.qkvBias());
                qwenWindow(spec, window, out);
            }
            default -> qwenWindow(spec, window, out);
        }
    }

    private static void qwenWindow(ModelSpec spec, Integer window, ObjectNode out) {
        out.put("use_sliding_window", window != null);
        out.put("sliding_window", window);
        out.put("max_window_layers", window != null ? 0 : spec.layers());
    }
}
