package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.Model;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.InvalidSpecException;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.llmgraph.model.lower.RecurrentStateTest.CPU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A hybrid stack, softmax attention (NoPE, as Jamba's) on every 2nd layer and TransNormerLLM's linear attention on
 * the others: each layer gets its mixer from the pattern; a session holds K and V rows for the softmax layers only
 * plus the linear layers' state, exactly the accounting's bytes; token by token, in chunks of 5 and as a prompt of
 * 7 then 5 more it gives the whole prompt's logits within {@link RecurrentStateTest#SPLIT_TOLERANCE}; the pattern's
 * impossible values are refused word for word.
 */
class HybridStackTest {
    private static ModelBuilder hybrid(String name) {
        return Transformer.causalDecoder(name).vocabSize(64).dModel(128).layers(4).contextLength(256)
                .positional(Positional.none()).norm(Norm.rms(1e-5)).ffn(Ffn.swiglu(256))
                .attention(Attention.multiHead(2)).linearAttention(LinearAttention.transNormer(2));
    }

    @Test
    void layersFollowThePatternAndTheSessionHoldsBothMemories() {
        ModelSpec s = hybrid("hybrid").hybrid(HybridPattern.softmaxEvery(2)).build();
        List<String> mixers = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> s.layer(i).mixer().getClass().getSimpleName()).toList();
        assertEquals(List.of("LinearAttention", "Attention", "LinearAttention", "Attention"), mixers);
        long state = 4L * 2 * 2 * 64 * 64;                 // two linear layers, two heads of 64 x 64, f32
        assertEquals(state, s.accounting().recurrentStateBytes());
        long kvPerToken = 2L * 2 * 4 * 128;                 // two softmax layers, K and V of 128 values, f32
        assertEquals(kvPerToken, s.accounting().kvCacheBytesPerToken(GgmlType.F32));
        assertSessionsHoldBothMemories(s, state, kvPerToken, WeightInit.lecun(3));
    }

    /**
     * Sessions of {@code s} allocate {@code state} bytes of recurrent state and {@code kvPerToken} bytes of K and V
     * rows per cached token (f32, the CPU's default), and decoding in pieces gives the whole prompt's logits.
     */
    static void assertSessionsHoldBothMemories(ModelSpec s, long state, long kvPerToken, WeightInit init) {
        try (Model model = Model.random(s, init, CPU);
             Model chunked = Model.random(s, init, CPU.withBatchSize(5))) {
            for (int capacity : new int[] {16, 256}) {
                try (Session session = model.session(capacity)) {
                    assertEquals(state, session.stateBytes(), "state, capacity " + capacity);
                    assertEquals(state + kvPerToken * capacity, session.cacheBytes(), "KV rows (f32, the CPU's "
                            + "default) and state, capacity " + capacity);
                }
            }
            RecurrentStateTest.assertPiecesGiveTheWholePrompt(model, chunked, "after reset both memories start from zero");
        }
    }

    @Test
    void impossiblePatternsAreRefusedInWords() {
        assertEquals("hybrid.softmaxEvery = 1: must be at least 2: with 1 every layer is softmax attention and no "
                + "recurrent layer is left; drop the linear attention or Mamba for a softmax-only stack, or use e.g. "
                + "HybridPattern.softmaxEvery(4)", assertThrows(IllegalArgumentException.class,
                () -> HybridPattern.softmaxEvery(1)).getMessage());
        assertEquals("spec 'offset' has 1 problem:\n  - hybrid.offset = 4: must lie in 0 .. 3: the softmax layer's "
                + "index within each period of 4; Jamba uses HybridPattern.softmaxEvery(8).withOffset(4)",
                assertThrows(InvalidSpecException.class, () -> hybrid("offset")
                        .hybrid(HybridPattern.softmaxEvery(4).withOffset(4)).build()).getMessage());
        assertEquals("spec 'no-linear' has 1 problem:\n  - hybrid = softmax attention on layers 1, 3, ... (every 2), "
                + "the recurrent mixer elsewhere: interleaves softmax attention with a recurrent mixer, and neither "
                + "linear attention nor a state space is set; set .linearAttention(LinearAttention.transNormer(heads)) "
                + "or .ssm(Ssm.mamba(dModel)), or drop the hybrid pattern",
                assertThrows(InvalidSpecException.class, () -> hybrid("no-linear").linearAttention(null)
                        .hybrid(HybridPattern.softmaxEvery(2)).build()).getMessage());
    }
}
