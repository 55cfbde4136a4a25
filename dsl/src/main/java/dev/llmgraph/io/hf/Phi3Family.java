package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.List;

/**
 * Phi3Config (Phi-3, Phi-3.5-mini): LLaMA's block (pre-RMSNorm, SwiGLU, grouped-query attention without biases) with
 * q, k and v in one {@code self_attn.qkv_proj} (rows q, then k, then v) and gate and up in one
 * {@code mlp.gate_up_proj} (rows gate, then up) ({@link HfNames}); RoPE on halves over whole heads; a sliding window
 * on every layer where {@code sliding_window} is not null (Phi-3-mini-4k: 2047). Read with q scaled before q.k
 * ({@link Attention#scaledQueries()}), as llama.cpp's phi3 graph computes. {@code longrope} scaling (the 128k
 * models) is refused by name.
 */
final class Phi3Family implements HfFamily {
    @Override
    public ModelSpec read(ConfigFields f) {
        DecoderSizes size = DecoderSizes.read(f, 4096);
        double partial = f.number("partial_rotary_factor", 1.0);
        if (partial != 1.0) {
            throw f.error("partial_rotary_factor", "field 'partial_rotary_factor' = " + partial + ": llmgraph reads "
                    + "Phi-3's RoPE over whole heads (1.0)");
        }
        SlidingWindow window = f.isExplicitNull("sliding_window") || !f.has("sliding_window") ? null
                : SlidingWindow.everyLayer(f.optionalSize("sliding_window", 0));
        Attention attention = Attention.grouped(size.heads(), size.kvHeads()).withSlidingWindow(window)
                .withScaledQueries(true);
        Activation act = HfActivation.read(f, "hidden_act", "silu");
        return Transformer.causalDecoder(f.modelName(HfModelType.PHI3.id()))
                .vocabSize(size.vocab()).dModel(size.dModel()).layers(size.layers()).contextLength(size.context())
                .attention(attention)
                .positional(HfRope.read(f, size.context(), HfModelType.PHI3.facts().ropePairing()))
                .norm(Norm.rms(f.number("rms_norm_eps", 1e-5)), NormPlacement.PRE)
                .ffn(new Ffn(act, true, size.ffnWidth(), false))
                .tiedEmbeddings(f.flag("tie_word_embeddings", false))
                .build();
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.PHI3).common();
        fit.rope();
        fit.familyNorm();
        fit.noParallelBlock();
        fit.noEmbeddingNorm();
        fit.defaultSoftmaxScale();
        fit.implicitHeadDim();
        fit.attentionBias(false, false, "has no attention biases");
        fit.windowOnEveryLayerOrNone();
        Ffn ffn = spec.ffn();
        fit.require(ffn.gated() && !ffn.bias(), "ffn", ffn, "has a gated FFN (gate_up_proj) without biases");
        fit.require(HfActivation.write(ffn.activation(), HfModelType.PHI3) != null, "ffn.activation",
                ffn.activation(), "has no hidden_act for it");
        return fit.problems();
    }

    @Override
    public void write(ModelSpec spec, ObjectNode out) {
        HfFamily.writeDecoderFields(spec, false, out);
        out.put("intermediate_size", spec.ffnDim());
        out.put("hidden_act", HfActivation.write(spec.ffn().activation(), HfModelType.PHI3));
        out.put("original_max_position_embeddings", spec.contextLength());
        out.put("partial_rotary_factor", 1.0);
        Attention a = spec.attention();
        out.put("sliding_window", a.window() == null ? null : a.window().size());
    }
}
