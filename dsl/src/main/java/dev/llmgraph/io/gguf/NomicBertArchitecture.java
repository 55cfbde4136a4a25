package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.io.gguf.Misfits.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.RopePairing;

import java.util.List;
import java.util.Map;

/**
 * llama.cpp's {@code nomic-bert} ({@code src/models/nomic-bert.cpp}, which builds {@code bert.cpp}'s graph): BERT
 * with rotary positions instead of a position table (RoPE on q and k over halves, NeoX style, as llama.cpp's
 * {@code llama_model_rope_type} says for it) and a SwiGLU FFN ({@code silu(gate) * up}, then down) without biases:
 * llama.cpp loads {@code ffn_up.bias} and {@code ffn_down.bias} but its graph for this architecture does not add
 * them. The rest is {@link BertArchitecture}'s: token type 0's row, an embedding LayerNorm, bidirectional attention,
 * post-LN ({@code attn_output_norm}, {@code layer_output_norm}), pooling by {@code nomic-bert.pooling_type}.
 */
final class NomicBertArchitecture implements Architecture {
    @Override
    public String name() {
        return "nomic-bert";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.encoder();
        if (!spec.encoder()) {
            return m.list();
        }
        m.rope(RopePairing.HALVES, true);
        m.embeddings(true, false);
        m.layerNormWithBias();
        m.postNormWithoutFinalNorm();
        m.parallelBlock(false);
        m.noQkNorm();
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.OPTIONAL, Bias.OPTIONAL);
        m.ffn(Activation.SILU, true, Bias.ABSENT);
        m.noExperts();
        return m.list();
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        return f.builder()
                .kind(ArchitectureKind.ENCODER)
                .attention(f.attention())
                .positional(f.rope(RopePairing.HALVES))
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.POST)
                .finalNorm(false)
                .ffn(Ffn.swiglu(f.ffnLength))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(BertArchitecture.tokenTypes(f)))
                .pooling(BertArchitecture.pooling(f))
                .build();
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        BertArchitecture.writeEncoderKeys(name(), spec, out);
    }

    @Override
    public boolean encodes() {
        return true;
    }

    @Override
    public Map<String, String> renamedTensors() {
        return new BertArchitecture().renamedTensors();
    }
}
