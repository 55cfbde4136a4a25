package dev.llmgraph.io.gguf;

import dev.llmgraph.io.gguf.Misfits.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;

import java.util.List;

/**
 * llama.cpp's {@code bloom} ({@code src/models/bloom.cpp}): a LayerNorm right after the embedding lookup
 * ({@code token_embd_norm}), ALiBi with a maximum bias of 8 (fixed in the loader, not a key), LayerNorm with
 * bias before each sublayer, biases everywhere, q, k and v fused as {@code attn_qkv} (Hugging Face's BLOOM
 * interleaves them per head; llama.cpp's converter stores them one after another), a GELU MLP with the tanh
 * approximation.
 */
final class BloomArchitecture implements Architecture {
    static final double MAX_ALIBI_BIAS = 8.0;

    @Override
    public String name() {
        return "bloom";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(true, false);
        m.alibi(MAX_ALIBI_BIAS);
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
                .positional(Positional.alibi())
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.PRE)
                .ffn(Ffn.mlp(f.ffnLength, Activation.GELU_TANH))
                .embeddings(Embeddings.untied().withTied(f.tied()).withLayerNorm(true))
                .build();
    }

    @Override
    public boolean writesFusedQkv() {
        return true;
    }
}
