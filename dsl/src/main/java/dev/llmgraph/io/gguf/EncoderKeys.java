package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Pooling;

/**
 * The keys of llama.cpp's BERT family ({@code bert}, {@code nomic-bert}): bidirectional attention
 * ({@code <arch>.attention.causal = false}), the pooling ({@code <arch>.pooling_type}) and the count of token types
 * ({@code tokenizer.ggml.token_type_count}); with embeddings on, llama.cpp pools the hidden states as the key says
 * ({@code build_pooling} in {@code src/llama-graph.cpp}: mean, the first token, or the last). Positions, norms and
 * the FFN are the families' facts.
 */
final class EncoderKeys {
    private EncoderKeys() {}

    static void write(String architecture, ModelSpec spec, GgufWriter out) {
        out.putBool(architecture + ".attention.causal", false);
        out.putUint32(architecture + ".pooling_type", spec.pooling().llamaCode());
        // llama.cpp refuses a bert file without a token type count; one type and no table means every token is type 0.
        out.putUint32("tokenizer.ggml.token_type_count", Math.max(1, spec.embeddings().tokenTypes()));
    }

    /** The encoder a file of {@code family} describes: post-LN without a final norm, its tables and its pooling. */
    static ModelSpec read(ModelFamily family, ModelFile f) {
        FamilyFacts facts = family.facts();
        return f.builder()
                .kind(ArchitectureKind.ENCODER)
                .attention(f.attention())
                .positional(FamilyReading.positional(facts.positions(), f))
                .norm(FamilyReading.norm(facts.norm(), f), facts.placement())
                .finalNorm(false)
                .ffn(FamilyReading.ffn(facts.ffn(), f))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(tokenTypes(f)))
                .pooling(pooling(f))
                .build();
    }

    /** The pooling the file states ({@code <arch>.pooling_type}), refused in words if llmgraph lacks it. */
    private static Pooling pooling(ModelFile f) {
        long code = f.keys.intOr("pooling_type", 0);
        Pooling pooling = Pooling.ofLlamaCode(code);
        if (pooling == null) {
            throw f.keys.problem("key '" + f.keys.key("pooling_type") + "' = " + code + ": llmgraph pools with none "
                    + "(0), mean (1), CLS (2) or last (3); rank pooling (4) needs a classifier head it does not have");
        }
        return pooling;
    }

    /** The token types: the rows of the file's {@code token_types} table, 0 without one. */
    private static int tokenTypes(ModelFile f) {
        return f.hasTensor("token_types.weight") ? Math.toIntExact(f.file.tensor("token_types.weight").ne()[1]) : 0;
    }
}
