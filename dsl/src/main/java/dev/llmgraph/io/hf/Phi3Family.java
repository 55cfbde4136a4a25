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
 * Phi3Config (Phi-3, Phi-3.5-mini, Phi-4-mini): LLaMA's block (pre-RMSNorm, SwiGLU, grouped-query attention without
 * biases) with q, k and v in one {@code self_attn.qkv_proj} (rows q, then k, then v) and gate and up in one
 * {@code mlp.gate_up_proj} (rows gate, then up) ({@link HfNames}); RoPE on halves; a sliding window
 * on every layer where {@code sliding_window} is not null and shorter than the context (Phi-3-mini-4k: 2047; Phi-3.5
 * and Phi-4-mini give 262144 over 131072 positions, which slides nothing). Read with q scaled before q.k
 * ({@link Attention#scaledQueries()}), as llama.cpp's phi3 graph computes. RoPE may rotate part of each head
 * ({@code partial_rotary_factor}, Phi-4-mini: 0.75) and be scaled by LongRoPE ({@code rope_scaling} of type longrope,
 * the 128k models; {@link HfRope}).
 */
final class Phi3Family implements HfFamily {
    @Override
    public ModelSpec read(ConfigFields f) {
        DecoderSizes size = DecoderSizes.read(f, 4096);
        int slidingWindow = f.optionalSize("sliding_window", Integer.MAX_VALUE);
        SlidingWindow window = slidingWindow < size.context() ? SlidingWindow.everyLayer(slidingWindow) : null;
        Attention attention = Attention.grouped(size.heads(), size.kvHeads()).withSlidingWindow(window)
                .withScaledQueries(true);
        Activation act = HfActivation.read(f, "hidden_act", "silu");
        return Transformer.causalDecoder(f.modelName(HfModelType.PHI3.id()))
                .vocabSize(size.vocab()).dModel(size.dModel()).layers(size.layers()).contextLength(size.context())
                .attention(attention)
                .positional(HfRope.read(f, size.context(), HfModelType.PHI3.facts().ropePairing())
                        .withFraction(f.number("partial_rotary_factor", 1.0)))
                .norm(Norm.rms(f.number("rms_norm_eps", 1e-5)), NormPlacement.PRE)
                .ffn(new Ffn(act, true, size.ffnWidth(), false))
                .tiedEmbeddings(f.flag("tie_word_embeddings", false))
                .build();
    }

    @Override
    public List<String> mismatches(ModelSpec spec) {
        SpecFit fit = new SpecFit(spec, HfModelType.PHI3).common();
        fit.rope(false);
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
        if (!out.has("original_max_position_embeddings")) { // LongRoPE's trained context, where HfRope wrote it
            out.put("original_max_position_embeddings", spec.contextLength());
        }
        out.put("partial_rotary_factor", HfRope.partialRotaryFactor(spec.rope(), spec.headDim()));
        Attention a = spec.attention();
        out.put("sliding_window", a.window() == null ? null : a.window().size());
    }
}
