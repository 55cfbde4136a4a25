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
 * llama.cpp's {@code falcon} ({@code src/models/falcon.cpp}), Falcon-7B's shape: one LayerNorm feeding
 * attention and the FFN in parallel ({@code x + attn(n) + ffn(n)}), RoPE on halves over whole heads, no
 * biases, q, k and v fused as {@code attn_qkv} (the converter un-interleaves Hugging Face's per-group layout
 * into q rows, then k, then v), a GELU MLP with the tanh approximation ({@code ggml_gelu}; Hugging Face's
 * Falcon uses exact GELU, so a spec with exact GELU is not what llama.cpp computes). Falcon-40B's second
 * norm ({@code attn_norm_2}) has no llmgraph equivalent.
 */
final class FalconArchitecture implements Architecture {
    @Override
    public String name() {
        return "falcon";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.layerNormWithBias();
        m.placement(NormPlacement.PRE);
        m.parallelBlock(true);
        m.rope(RopePairing.HALVES, true);
        m.noQkNorm();
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.ABSENT, Bias.ABSENT);
        m.ffn(Activation.GELU_TANH, false, Bias.ABSENT);
        m.noExperts();
        return m.list();
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        f.refuseTensor("blk.0.attn_norm_2.weight", "Falcon-40B's second norm (one for attention, one for the FFN)");
        return f.builder()
                .attention(f.attention())
                .positional(f.rope(RopePairing.HALVES))
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.PRE)
                .ffn(Ffn.mlp(f.ffnLength, Activation.GELU_TANH).withBias(false))
                .parallelBlock(true)
                .tiedEmbeddings(f.tied())
                .build();
    }

    @Override
    public boolean writesFusedQkv() {
        return true;
    }
}
