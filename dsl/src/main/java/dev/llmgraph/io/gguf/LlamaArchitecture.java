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
 * llama.cpp's {@code llama} ({@code src/models/llama.cpp}): RMSNorm before each sublayer, RoPE on adjacent
 * pairs over whole heads (the converter permutes Hugging Face's W_q and W_k rows so that this is the same as
 * their rotate-half), SwiGLU, optional biases on every projection, an optional output head. It has no
 * sliding window: Mistral-style windows have no llama.cpp equivalent in this architecture.
 */
final class LlamaArchitecture implements Architecture {
    @Override
    public String name() {
        return "llama";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.rmsNorm();
        m.placement(NormPlacement.PRE);
        m.parallelBlock(false);
        m.rope(RopePairing.ADJACENT, true);
        m.noQkNorm();
        m.plainAttention();
        m.attentionBiases(Bias.OPTIONAL, Bias.OPTIONAL);
        m.ffn(Activation.SILU, true, Bias.OPTIONAL);
        return m.list();
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        f.refuseTensor("rope_freqs.weight", "LLaMA 3.1's per-frequency RoPE factors");
        return f.builder()
                .attention(f.attention())
                .positional(f.rope(RopePairing.ADJACENT))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength).withBias(f.ffnBias(true)))
                .tiedEmbeddings(f.tied())
                .build();
    }
}
