package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.llmgraph.model.lower.RecurrentStateTest.CPU;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RWKV keeps per layer two token shifts (the previous token's input to the time mix and to the channel mix) and one
 * headSize x headSize WKV state per head instead of a KV cache: its bytes are the accounting's at any capacity and
 * equal what ggml allocated; token by token, in chunks of 5, and as a prompt of 7 then 5 more (only the last logits
 * asked for: the last block still shifts every token) it gives the whole prompt's logits, within
 * {@link RecurrentStateTest#SPLIT_TOLERANCE}; a reset session starts from zero again.
 */
class RwkvStateTest {
    static ModelSpec rwkv(Rwkv mixer) {
        return Transformer.causalDecoder("tiny-rwkv").vocabSize(64).dModel(128).layers(2).contextLength(4096)
                .positional(Positional.none()).norm(Norm.layer(1e-5))
                .embeddings(Embeddings.untied().withLayerNorm(true)).rwkv(mixer).build();
    }

    @ParameterizedTest(name = "RWKV-{0}")
    @ValueSource(ints = {6, 7})
    void stateBytesEqualTheAccountingAndDecodingInPiecesGivesTheWholePrompt(int version) {
        ModelSpec s = rwkv(version == 6 ? new Rwkv6(64, 448, 16, 16) : new Rwkv7(64, 512, 16, 16, 16, 16));
        long formula = 4L * s.layers() * (2 * 128 + 2 * 64 * 64); // two shifts, two heads of 64 x 64
        assertEquals(formula, s.accounting().recurrentStateBytes(), "accounting");
        try (Model model = Model.random(s, WeightInit.lecun(3), CPU);
             Model chunked = Model.random(s, WeightInit.lecun(3), CPU.withBatchSize(5))) {
            for (int capacity : new int[] {16, 4096}) {
                try (Session session = model.session(capacity)) {
                    assertEquals(formula, session.stateBytes(), "state, capacity " + capacity);
                    assertEquals(formula, session.cacheBytes(), "all of the session's memory");
                }
            }
            RecurrentStateTest.assertPiecesGiveTheWholePrompt(model, chunked, "after reset the state starts from zero");
        }
    }
}
