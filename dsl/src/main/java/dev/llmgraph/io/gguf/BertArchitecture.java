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
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Positional;

import java.util.List;
import java.util.Map;

/**
 * llama.cpp's {@code bert} ({@code src/models/bert.cpp}): token embeddings plus the row of token type 0 (llama.cpp
 * gives every token type 0, "sentence A") plus learned absolute positions, then an embedding LayerNorm; each block
 * attends bidirectionally ({@code bert.attention.causal = false}), adds the residual, normalises
 * ({@code attn_output_norm}), runs a tanh-GELU MLP ({@code ggml_gelu}), adds the residual and normalises again
 * ({@code layer_output_norm}): post-LN, no final norm. Its output is the hidden states; with embeddings on, llama.cpp
 * pools them as {@code bert.pooling_type} says ({@code build_pooling} in {@code src/llama-graph.cpp}: mean, the
 * first token, or the last) and does not normalise the pooled vector.
 */
final class BertArchitecture implements Architecture {
    @Override
    public String name() {
        return "bert";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.encoder();
        if (!spec.encoder()) {
            return m.list(); // the other checks describe an encoder's choices
        }
        m.learnedPositions();
        m.embeddings(true, false);
        m.layerNormWithBias();
        m.postNormWithoutFinalNorm();
        m.parallelBlock(false);
        m.noQkNorm();
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.OPTIONAL, Bias.OPTIONAL);
        m.ffn(Activation.GELU_TANH, false, Bias.OPTIONAL);
        m.noExperts();
        return m.list();
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        return f.builder()
                .kind(ArchitectureKind.ENCODER)
                .attention(f.attention())
                .positional(Positional.learned())
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.POST)
                .finalNorm(false)
                .ffn(Ffn.mlp(f.ffnLength, Activation.GELU_TANH).withBias(f.ffnBias(false)))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(tokenTypes(f)))
                .pooling(pooling(f))
                .build();
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        writeEncoderKeys(name(), spec, out);
    }

    /** The keys of llama.cpp's BERT family: bidirectional attention, the pooling, the count of token types. */
    static void writeEncoderKeys(String architecture, ModelSpec spec, GgufWriter out) {
        out.putBool(architecture + ".attention.causal", false);
        out.putUint32(architecture + ".pooling_type", spec.pooling().llamaCode());
        // llama.cpp refuses a bert file without a token type count; one type and no table means every token is type 0.
        out.putUint32("tokenizer.ggml.token_type_count", Math.max(1, spec.embeddings().tokenTypes()));
    }

    /** The pooling a file of the BERT family states ({@code <arch>.pooling_type}), refused in words if llmgraph lacks it. */
    static Pooling pooling(ModelFile f) {
        long code = f.keys.intOr("pooling_type", 0);
        Pooling pooling = Pooling.ofLlamaCode(code);
        if (pooling == null) {
            throw f.keys.problem("key '" + f.keys.key("pooling_type") + "' = " + code + ": llmgraph pools with none "
                    + "(0), mean (1), CLS (2) or last (3); rank pooling (4) needs a classifier head it does not have");
        }
        return pooling;
    }

    /** The token types of a file of the BERT family: the rows of its {@code token_types} table, 0 without one. */
    static int tokenTypes(ModelFile f) {
        return f.hasTensor("token_types.weight") ? Math.toIntExact(f.file.tensor("token_types.weight").ne()[1]) : 0;
    }

    @Override
    public boolean encodes() {
        return true;
    }

    @Override
    public Map<String, String> renamedTensors() {
        return Map.of("attn_norm", "attn_output_norm", "ffn_norm", "layer_output_norm");
    }
}
