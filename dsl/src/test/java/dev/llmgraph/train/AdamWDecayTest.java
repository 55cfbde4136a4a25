package dev.llmgraph.train;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Weight decay reaches the weights torch's referee decays ({@code p.dim() >= 2}): matrices and embeddings,
 * never norm gains or biases. Written out by hand for a one-layer LLaMA with biases everywhere.
 */
class AdamWDecayTest {
    @Test
    void decay_reachesMatricesAndEmbeddings_notNormGainsOrBiases() {
        ModelSpec spec = Presets.tiny(Presets.llama3_8b()).toBuilder().layers(1).vocabSize(64)
                .attention(Attention.multiHead(4).withHeadDim(8).withBias(true)).ffn(Ffn.swiglu(64).withBias(true))
                .build();
        Set<String> expected = Set.of("token_embd.weight", "output.weight", "blk.0.attn_q.weight",
                "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight", "blk.0.ffn_gate.weight",
                "blk.0.ffn_up.weight", "blk.0.ffn_down.weight");
        assertEquals(new TreeSet<>(expected), new TreeSet<>(AdamW.decayedWeights(spec)));
    }
}
