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
 * llama.cpp's {@code qwen2moe} ({@code src/models/qwen2moe.cpp}): Qwen2's attention (RoPE on halves, biases on
 * q, k and v), then in every layer SwiGLU experts routed by softmax and top-k without renormalising, plus a
 * shared SwiGLU expert whose output is scaled by {@code sigmoid(ffn_gate_inp_shexp . x)}. The routed experts
 * are {@code expert_feed_forward_length} wide and the shared ones {@code expert_shared_feed_forward_length}
 * in all; llmgraph also writes {@code expert_shared_count} (a key llama.cpp knows) so that a count of shared
 * experts reads back.
 */
final class Qwen2MoeArchitecture implements Architecture {
    @Override
    public String name() {
        return "qwen2moe";
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
        m.experts(Router.softmax(), true, Activation.SILU, false);
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
        Moe moe = spec.moe();
        String a = name() + ".";
        out.putUint32(a + "expert_count", moe.experts());
        out.putUint32(a + "expert_used_count", moe.expertsPerToken());
        out.putUint32(a + "expert_feed_forward_length", moe.expert().width());
        out.putUint32(a + "expert_shared_feed_forward_length", moe.shared().totalWidth());
        out.putUint32(a + "expert_shared_count", moe.shared().count());
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        f.refuseTensor("output.bias", "a bias on the output head");
        // llama.cpp's defaults when the widths are not given: n_ff / k for the experts, n_ff for the shared one.
        int expertWidth = f.keys.intOr("expert_feed_forward_length", f.ffnLength / Math.max(1,
                f.keys.intOr("expert_used_count", 1)));
        int sharedWidth = f.keys.intOr("expert_shared_feed_forward_length", f.ffnLength);
        // qwen2moe's graph does not read the count: llama.cpp's own writer stores 0 there, which means one.
        int sharedCount = Math.max(1, f.keys.intOr("expert_shared_count", 1));
        if (sharedWidth % sharedCount != 0) {
            throw f.keys.problem("key '" + f.keys.key("expert_shared_count") + "' = " + sharedCount + " must divide '"
                    + f.keys.key("expert_shared_feed_forward_length") + "' = " + sharedWidth);
        }
        SharedExperts shared = new SharedExperts(sharedCount, sharedWidth / sharedCount, true);
        return f.builder()
                .attention(f.attention())
                .positional(f.rope(RopePairing.HALVES))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(Ffn.swiglu(f.ffnLength))
                .moe(f.experts(Ffn.swiglu(expertWidth), Router.softmax(), shared))
                .tiedEmbeddings(f.tied())
                .build();
    }
}
