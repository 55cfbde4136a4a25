package dev.llmgraph.model;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Latent attention's cache on the backend holds the latent and the shared RoPE key, not expanded keys and
 * values: the bytes ggml allocated equal (kvRank + ropeHeadDim) x layers x capacity elements exactly, and the
 * latent is a named node that can be read.
 */
class LatentCacheBytesTest {
    private static ModelSpec spec(int kvRank, int rope) {
        return Transformer.causalDecoder("mla-cache").vocabSize(64).dModel(64).layers(3).contextLength(512)
                .latentAttention(LatentAttention.of(4, kvRank).withHeadDims(16, rope, 16))
                .ffn(Ffn.swiglu(96)).build();
    }

    @Test
    void cacheBytesEqualTheMlaFormula() {
        for (int[] dims : new int[][] {{32, 16}, {64, 8}}) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16}) {
                ModelSpec s = spec(dims[0], dims[1]);
                try (Model model = Model.random(s, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(1)
                        .withCacheType(type)); Session session = model.session(384)) {
                    long formula = (long) (dims[0] + dims[1]) * s.layers() * type.rowBytes(1) * 384;
                    assertEquals(formula, s.accounting().kvCacheBytes(384, type), "accounting");
                    assertEquals(formula, session.cacheBytes(), "kvRank " + dims[0] + ", rope " + dims[1] + ", "
                            + type);
                }
            }
        }
    }

    @Test
    void theLatentIsANamedNode() {
        ModelSpec s = spec(32, 16);
        try (Model model = Model.random(s, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(1))) {
            var inspection = model.inspect(new int[] {1, 2, 3, 4, 5}, "kv_latent.1", "k_rope.1");
            assertEquals(5 * 32, inspection.node("kv_latent.1").values().length);
            assertEquals(5 * 16, inspection.node("k_rope.1").values().length);
        }
    }

    @Test
    void aQuantizedCacheIsRefusedInWords() {
        var e = assertThrows(IllegalArgumentException.class, () -> {
            try (Model model = Model.random(spec(32, 16), WeightInit.gpt2(1), ModelOptions.cpu().withThreads(1)
                    .withCacheType(GgmlType.Q8_0)); Session session = model.session(64)) {
                session.feed(1);
            }
        });
        assertEquals("a q8_0 KV cache cannot hold latent attention's cache: its values are read through a transposed "
                + "copy of the latent, which a quantized type cannot be; use an f16 cache", e.getMessage());
    }
}
