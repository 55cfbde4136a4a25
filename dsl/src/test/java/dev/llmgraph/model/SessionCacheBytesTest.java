package dev.llmgraph.model;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The KV cache a session allocates on the backend is exactly what the spec's accounting predicts. */
class SessionCacheBytesTest {
    private static ModelSpec spec(int heads, int kvHeads, boolean flash) {
        return Transformer.causalDecoder("cache-" + heads + "-" + kvHeads)
                .vocabSize(64).dModel(64).layers(3).contextLength(512)
                .attention(Attention.grouped(heads, kvHeads).withFlash(flash))
                .ffn(Ffn.swiglu(96)).build();
    }

    @Test
    void cacheBytesEqualTheFormulaForEveryKvHeadsCacheTypeAndLayout() {
        for (int kvHeads : new int[] {8, 2, 1}) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16}) {
                for (boolean flash : new boolean[] {false, true}) {
                    ModelSpec s = spec(8, kvHeads, flash);
                    try (Model model = Model.random(s, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(1)
                            .withCacheType(type)); Session session = model.session(384)) {
                        long formula = 2L * kvHeads * s.headDim() * s.layers() * type.rowBytes(1) * 384;
                        assertEquals(formula, s.accounting().kvCacheBytes(384, type), "accounting");
                        assertEquals(formula, session.cacheBytes(), "kvHeads " + kvHeads + ", " + type + ", flash "
                                + flash);
                    }
                }
            }
        }
    }

    @Test
    void cacheBytesAfterCloseIsRefused() {
        try (Model model = Model.random(spec(4, 4, false), 1)) {
            Session session = model.session(16);
            session.close();
            var e = assertThrows(IllegalStateException.class, session::cacheBytes);
            assertEquals("this session of model 'cache-4-4' was closed; open a new one with model.session()",
                    e.getMessage());
        }
    }
}
