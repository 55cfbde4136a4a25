package dev.llmgraph.spec;

import dev.llmgraph.ggml.GgmlType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-head latent attention as a spec: its refusals (word for word), and what the plan counts, written out by
 * hand here: the articles' KV-cache table (MHA 2 n_h d_h l, GQA 2 n_g d_h l, MQA 2 d_h l, MLA (d_c + d_h^R) l
 * elements per token), parameters and FLOPs.
 */
class LatentAttentionSpecTest {
    private static ModelBuilder base(String name) {
        return Transformer.causalDecoder(name).vocabSize(1000).dModel(256).layers(3).contextLength(512)
                .positional(Positional.rope(10_000)).ffn(Ffn.swiglu(512));
    }

    private static LatentAttention mla() {
        return LatentAttention.of(8, 64).withHeadDims(32, 16, 32);
    }

    @Test
    void theKvCacheTableOfTheArticles() {
        int heads = 8, headDim = 32, groups = 2, layers = 3, latent = 64, rope = 16;
        ModelSpec mha = base("mha").attention(Attention.multiHead(heads).withHeadDim(headDim)).build();
        ModelSpec gqa = base("gqa").attention(Attention.grouped(heads, groups).withHeadDim(headDim)).build();
        ModelSpec mqa = base("mqa").attention(Attention.multiQuery(heads).withHeadDim(headDim)).build();
        ModelSpec mla = base("mla").latentAttention(mla()).build();
        assertEquals(2L * heads * headDim * layers, mha.accounting().kvCacheElementsPerToken());
        assertEquals(2L * groups * headDim * layers, gqa.accounting().kvCacheElementsPerToken());
        assertEquals(2L * headDim * layers, mqa.accounting().kvCacheElementsPerToken());
        assertEquals((long) (latent + rope) * layers, mla.accounting().kvCacheElementsPerToken());
        assertEquals(2L * (latent + rope) * layers, mla.accounting().kvCacheBytesPerToken(GgmlType.F16));
    }

    @Test
    void deepSeekV2CachesFiveHundredSeventySixValuesPerLayer() {
        LatentAttention v2 = LatentAttention.of(128, 512).withQueryRank(1536);
        assertEquals(576, v2.cacheRow());
        assertEquals(192, v2.queryKeyHeadDim());
    }

    @Test
    void everyLayerAttendsThroughTheLatentAndAttentionIsTheDecompressedMultiHead() {
        ModelSpec spec = base("mla").latentAttention(mla()).build();
        assertInstanceOf(LatentAttention.class, spec.layer(2).mixer());
        assertEquals(Attention.multiHead(8).withHeadDim(48), spec.attention());
        assertEquals(16, spec.ropeHeadDim());
        assertEquals(spec, spec.toBuilder().build());
        assertInstanceOf(Attention.class, spec.withLatentAttention(null).layer(0).mixer());
    }

    @Test
    void parametersAndFlopsCountEveryProjection() {
        int d = 256, h = 8, nope = 32, rope = 16, value = 32, rank = 64, qRank = 96, layers = 3;
        ModelSpec spec = base("mla").latentAttention(mla().withQueryRank(qRank)).build();
        long qk = nope + rope;
        long query = (long) d * qRank + qRank + (long) qRank * h * qk;
        long latent = (long) d * (rank + rope) + rank;
        long up = (long) h * nope * rank + (long) h * rank * value;
        long out = (long) h * value * d;
        assertEquals(layers * (query + latent + up + out), spec.accounting().parameters().of("attention"));
        assertEquals(query + latent + up + out, spec.latent().parameters(d));

        ModelSpec direct = base("mla").latentAttention(mla()).build();
        long matrices = (long) d * h * qk + (long) d * (rank + rope) + up + out;
        // Per visible key: q.k over the cached row, weights x latents over the latent, per head.
        long perKey = 2L * h * ((rank + rope) + rank);
        assertEquals(layers * (2 * matrices + 100 * perKey), direct.accounting().flopsPerToken(100)
                - ffnAndHeadFlops(direct));
    }

    private static long ffnAndHeadFlops(ModelSpec s) {
        return s.layers() * 2L * 3 * s.dModel() * s.ffnDim() + 2L * s.dModel() * s.vocabSize();
    }

    @Test
    void settersRefuseTheirOwnBadArgument() {
        var odd = assertThrows(IllegalArgumentException.class,
                () -> LatentAttention.of(8, 64).withHeadDims(32, 15, 32));
        assertEquals("latentAttention.ropeHeadDim = 15: must be even: RoPE rotates pairs of dimensions; "
                + "DeepSeek-V2 rotates 64", odd.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> LatentAttention.of(8, 0));
        assertEquals("latentAttention.kvRank = 0: must be at least 1; DeepSeek-V2 compresses keys and values to a "
                + "latent of 512", rank.getMessage());
    }

    @Test
    void buildRefusesALatentWiderThanTheTokenAndNoRope() {
        var e = assertThrows(InvalidSpecException.class, () -> base("wide")
                .latentAttention(LatentAttention.of(8, 512).withHeadDims(32, 16, 32).withQueryRank(300))
                .positional(Positional.alibi()).build());
        String m = e.getMessage();
        assertTrue(m.contains("latentAttention.kvRank = 512: must be at most dModel = 256: the latent compresses each "
                + "token's keys and values, so it is narrower than the token; DeepSeek-V2 caches 512 values for a "
                + "dModel of 5120"), m);
        assertTrue(m.contains("latentAttention.queryRank = 300: must be at most dModel = 256"), m);
        assertTrue(m.contains("latent attention carries positions in its decoupled RoPE key, so it needs RoPE; "
                + "use .positional(Positional.rope(10_000))"), m);
    }
}
