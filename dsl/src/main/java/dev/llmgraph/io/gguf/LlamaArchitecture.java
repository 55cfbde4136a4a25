package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.io.gguf.Misfits.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;

import java.util.List;

/**
 * llama.cpp's {@code llama} ({@code src/models/llama.cpp}): RMSNorm before each sublayer, RoPE on adjacent
 * pairs over whole heads (the converter permutes Hugging Face's W_q and W_k rows so that this is the same as
 * their rotate-half), SwiGLU, optional biases on every projection, an optional output head. It has no
 * sliding window: Mistral-style windows have no llama.cpp equivalent in this architecture. With
 * {@code llama.expert_count} it is Mixtral: every layer routes to SwiGLU experts as wide as
 * feed_forward_length, by softmax, top-k, weights renormalised ({@code build_moe_ffn} with norm_w true).
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
        if (spec.sparse()) {
            m.experts(Router.softmaxRenormalised(), false, Activation.SILU, true);
        }
        return m.list();
    }

    @Override
    public boolean readsExperts() {
        return true;
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        if (spec.sparse()) {
            out.putUint32(name() + ".expert_count", spec.moe().experts());
            out.putUint32(name() + ".expert_used_count", spec.moe().expertsPerToken());
        }
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        f.refuseTensor("rope_freqs.weight", "LLaMA 3.1's per-frequency RoPE factors");
        Moe experts = f.expertCount == 0 ? null
                : f.experts(Ffn.swiglu(f.ffnLength), Router.softmaxRenormalised(), SharedExperts.none());
        return f.builder()
                .moe(experts)
                .attention(f.attention())
                .positional(f.rope(RopePairing.ADJACENT))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength).withBias(f.ffnBias(true)))
                .tiedEmbeddings(f.tied())
                .build();
    }
}
