package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.DecaySchedule;
import dev.llmgraph.spec.FeatureMap;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.LinearDecay;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.llmgraph.model.lower.RecurrentStateTest.CPU;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Linear attention keeps one headDim x headDim state per head and layer instead of a KV cache: its bytes are the
 * accounting's at any capacity and equal what ggml allocated; token by token, in chunks of 5, and as a prompt of 7
 * then 5 more it gives the whole prompt's logits, within {@link RecurrentStateTest#SPLIT_TOLERANCE}, for each kind of
 * decay; a reset session starts from zero again.
 */
class LinearAttentionStateTest {
    static ModelSpec linear(LinearDecay decay) {
        LinearAttention mixer = LinearAttention.of(2).withFeatureMap(FeatureMap.ELU_PLUS_ONE).withDecay(decay)
                .withOutputGate(true).withOutputNorm(true);
        return Transformer.causalDecoder("tiny-linear").vocabSize(64).dModel(128).layers(2).contextLength(4096)
                .positional(Positional.none()).norm(Norm.simpleRms(1e-5)).ffn(Ffn.bilinear(256))
                .linearAttention(mixer).build();
    }

    @ParameterizedTest(name = "decay {0}")
    @ValueSource(strings = {"none", "fixed", "gated"})
    void stateBytesEqualTheAccountingAndDecodingInPiecesGivesTheWholePrompt(String decay) {
        ModelSpec s = linear(switch (decay) {
            case "none" -> LinearDecay.none();
            case "fixed" -> LinearDecay.fixed(DecaySchedule.transNormer());
            default -> LinearDecay.gated(16, 16);
        });
        long formula = 4L * s.layers() * 2 * 64 * 64; // two heads of 64 x 64 per layer, f32
        assertEquals(formula, s.accounting().recurrentStateBytes(), "accounting");
        assertEquals(0, s.accounting().kvCacheBytes(1_000_000, dev.llmgraph.storage.StorageType.F16), "no KV cache");
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
