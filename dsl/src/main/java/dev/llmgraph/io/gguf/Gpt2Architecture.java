package dev.llmgraph.io.gguf;

import dev.llmgraph.io.gguf.Misfits.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;

import java.util.List;

/**
 * llama.cpp's {@code gpt2} ({@code src/models/gpt2.cpp}): learned absolute positions added to the token
 * embeddings, LayerNorm with bias before each sublayer, biases on every projection, q, k and v fused as
 * {@code attn_qkv} (required), a GELU MLP ({@code ggml_gelu}, the tanh approximation), an optional output
 * head.
 */
final class Gpt2Architecture implements Architecture {
    @Override
    public String name() {
        return "gpt2";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.learnedPositions();
        m.embeddings(false, false);
        m.layerNormWithBias();
        m.placement(NormPlacement.PRE);
        m.parallelBlock(false);
        m.noQkNorm();
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.REQUIRED, Bias.REQUIRED);
        m.ffn(Activation.GELU_TANH, false, Bias.REQUIRED);
        m.noExperts();
        return m.list();
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        return f.builder()
                .attention(f.attention())
                .positional(Positional.learned())
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.PRE)
                .ffn(Ffn.mlp(f.ffnLength, Activation.GELU_TANH))
                .tiedEmbeddings(f.tied())
                .build();
    }

    @Override
    public boolean writesFusedQkv() {
        return true;
    }
}
