package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.io.gguf.Misfits.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;

import java.util.List;

/**
 * llama.cpp's {@code olmoe} ({@code src/models/olmoe.cpp}): RMSNorm before each sublayer, q, k and v projected
 * (biases optional), then q and k each RMS-normalised over the whole projection ({@code attn_q_norm} and
 * {@code attn_k_norm} are dModel wide: {@link QkNorm#WHOLE_WIDTH}) before RoPE on halves (NeoX) over whole heads;
 * every layer routes to SwiGLU experts as wide as feed_forward_length by softmax and top-k, without renormalising
 * and without a scale ({@code build_moe_ffn} with norm_w false; olmoe reads no expert_weights_scale). The
 * k norm being dModel wide, keys have as many heads as queries (OLMoE-1B-7B: 16 and 16).
 */
final class OlmoeArchitecture implements Architecture {
    @Override
    public String name() {
        return "olmoe";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.rmsNorm();
        m.placement(NormPlacement.PRE);
        m.parallelBlock(false);
        m.rope(RopePairing.HALVES, true);
        m.qkNorm(QkNorm.WHOLE_WIDTH);
        if (spec.kvHeads() != spec.heads()) {
            m.add(spec.attention().variant() + " (" + spec.kvHeads() + " K/V heads for " + spec.heads() + " query heads)",
                    "normalises keys with a dModel-wide attn_k_norm, so keys have as many heads as queries");
        }
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.OPTIONAL, Bias.ABSENT);
        m.experts(Router.softmax(), false, Activation.SILU, true);
        if (spec.tiedEmbeddings()) {
            m.add("tied embeddings", "loads its own output head");
        }
        return m.list();
    }

    @Override
    public boolean readsExperts() {
        return true;
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        out.putUint32(name() + ".expert_count", spec.moe().experts());
        out.putUint32(name() + ".expert_used_count", spec.moe().expertsPerToken());
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        f.refuseTensor("output.bias", "a bias on the output head");
        return f.builder()
                .attention(f.attention().withQkNorm(QkNorm.WHOLE_WIDTH))
                .positional(f.rope(RopePairing.HALVES))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength))
                .moe(f.experts(Ffn.swiglu(f.ffnLength), Router.softmax(), SharedExperts.none()))
                .tiedEmbeddings(f.tied())
                .build();
    }
}
