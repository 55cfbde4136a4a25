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
 * llama.cpp's {@code qwen2} ({@code src/models/qwen2.cpp}): LLaMA's block with RoPE on halves (NeoX) and
 * biases on q, k and v only; attn_output is [dModel, dModel], so heads x headDim = dModel. An output bias
 * (which the loader allows) has no llmgraph equivalent.
 */
final class Qwen2Architecture implements Architecture {
    @Override
    public String name() {
        return "qwen2";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.rmsNorm();
        m.placement(NormPlacement.PRE);
        m.parallelBlock(false);
        m.rope(RopePairing.HALVES, true);
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
        f.refuseTensor("output.bias", "a bias on the output head");
        return f.builder()
                .attention(f.attention())
                .positional(f.rope(RopePairing.HALVES))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength))
                .tiedEmbeddings(f.tied())
                .build();
    }
}
