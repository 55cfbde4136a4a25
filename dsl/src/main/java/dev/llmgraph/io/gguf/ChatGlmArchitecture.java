package dev.llmgraph.io.gguf;

import dev.llmgraph.io.gguf.Misfits.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.RopePairing;

import java.util.List;

/**
 * llama.cpp's {@code chatglm} ({@code src/models/chatglm.cpp}), ChatGLM2/3 and GLM-4 as a causal decoder:
 * RMSNorm before each sublayer, RoPE on adjacent pairs of the first {@code rope.dimension_count} dimensions
 * of each head (ChatGLM2 rotates half of each head), biases on q, k and v only, and SwiGLU with gate and up
 * fused in one {@code ffn_up} of 2 x ffnDim rows, gate first ({@code ggml_swiglu} activates the first half
 * of each row). The converter writes q, k and v fused as {@code attn_qkv}; the loader takes both forms.
 * ChatGLM-6B (the first one, a GLM prefix decoder with DeepNorm) is not this architecture.
 */
final class ChatGlmArchitecture implements Architecture {
    @Override
    public String name() {
        return "chatglm";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.rmsNorm();
        m.placement(NormPlacement.PRE);
        m.parallelBlock(false);
        m.rope(RopePairing.ADJACENT, false);
        m.noQkNorm();
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.OPTIONAL, Bias.ABSENT);
        m.ffn(Activation.SILU, true, Bias.ABSENT);
        m.noExperts();
        return m.list();
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        return f.builder()
                .attention(f.attention())
                .positional(f.rope(RopePairing.ADJACENT))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength))
                .tiedEmbeddings(f.tied())
                .build();
    }

    @Override
    public boolean writesFusedQkv() {
        return true;
    }

    @Override
    public boolean readsSeparateQkv() {
        return true;
    }

    @Override
    public boolean fusesGateAndUp() {
        return true;
    }
}
