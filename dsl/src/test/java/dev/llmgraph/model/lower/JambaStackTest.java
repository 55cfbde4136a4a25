package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.InvalidSpecException;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A Jamba-style stack of 4 layers: Mamba (with RMSNorms on dt, B and C) everywhere but layer 2, which attends
 * without positions; experts (4, top-2, softmax without renormalising) on the odd layers, SwiGLU on the even ones.
 * Each layer gets its mixer and channel mixer from the two patterns; the parameters are counted by hand; a session
 * holds K and V rows for the attention layer only and a recurrent state for the three Mamba layers only, exactly the
 * accounting's bytes; token by token and in chunks it gives the whole prompt's logits; wrong patterns are refused
 * word for word.
 */
class JambaStackTest {
    private static final int VOCAB = 64;

    private static ModelBuilder jamba(String name) {
        return Transformer.causalDecoder(name).vocabSize(VOCAB).dModel(64).layers(4).contextLength(256)
                .positional(Positional.none()).norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ssm(Ssm.mamba(64).withDtBcNorm(true))
                .hybrid(HybridPattern.softmaxEvery(4).withOffset(2))
                .attention(Attention.grouped(4, 2))
                .ffn(Ffn.swiglu(128))
                .moe(Moe.of(4, 2, Ffn.swiglu(128)).withRouter(Router.softmax()).withSparseEvery(2, 1));
    }

    @Test
    void layersFollowBothPatternsAndTheParametersAreCountedByHand() {
        ModelSpec s = jamba("jamba").build();
        List<String> layers = IntStream.range(0, 4).mapToObj(i -> s.layer(i).mixer().getClass().getSimpleName()
                + "+" + s.layer(i).channel().getClass().getSimpleName()).toList();
        assertEquals(List.of("Ssm+Ffn", "Ssm+Moe", "Attention+Ffn", "Ssm+Moe"), layers);
        long mamba = 64 * 256            // in: u | z
                + 4 * 128 + 128          // conv and its bias
                + 128 * (4 + 2 * 16)     // x: dt_low | B | C
                + 4 + 16 + 16            // gains of the RMSNorms on dt_low, B, C
                + 4 * 128 + 128          // dt and its bias
                + 16 * 128 + 128         // A, D
                + 128 * 64;              // out
        long attention = 64 * 64 + 2 * 64 * 32 + 64 * 64; // q, k and v of 2 K/V heads of 16, o
        long swiglu = 3 * 64 * 128;
        long experts = 64 * 4 + 4 * swiglu;               // router and 4 experts
        long blocks = 4 * 2 * 64 + 3 * mamba + attention + 2 * swiglu + 2 * experts;
        assertEquals(2L * VOCAB * 64 + 64 + blocks, s.parameterCount());
    }

    @Test
    void theSessionHoldsKvRowsForTheAttentionLayerAndStateForTheMambaLayers() {
        ModelSpec s = jamba("jamba").build();
        long state = 3L * 4 * (3 * 128 + 16 * 128);     // three Mamba layers: conv (3 x 128) and scan (16 x 128), f32
        assertEquals(state, s.accounting().recurrentStateBytes());
        long kvPerToken = 2L * 4 * 2 * 16;              // one attention layer: K and V of 2 heads of 16, f32
        assertEquals(kvPerToken, s.accounting().kvCacheBytesPerToken(GgmlType.F32));
        HybridStackTest.assertSessionsHoldBothMemories(s, state, kvPerToken, WeightInit.lecun(5));
    }

    /**
     * Jamba-v0.1's memory: the paper's Table 1 gives its KV cache at 256K tokens as 4GB (16-bit): 4 attention layers of
     * 8 K/V heads of 128, K and V, 2 bytes, 262 144 tokens = 4 GiB. The 28 Mamba layers add a fixed state.
     */
    @Test
    void jambaV01KeepsAKvCacheOnFourLayersAndAStateOnTwentyEight() {
        ModelSpec jamba = dev.llmgraph.presets.Presets.jambaV01();
        assertEquals(4L * 2 * 8 * 128 * 2, jamba.accounting().kvCacheBytesPerToken(GgmlType.F16));
        assertEquals(4L << 30, jamba.accounting().kvCacheBytes(262_144, GgmlType.F16));
        assertEquals(28L * 4 * (3 * 8192 + 16 * 8192), jamba.accounting().recurrentStateBytes());
    }

    @Test
    void wrongPatternsAreRefusedInWords() {
        assertEquals("moe.sparseLayers.offset = 2: must lie in 0 .. 1: the routing layer's index within each period "
                + "of 2; Jamba routes every other layer from layer 1: .withSparseEvery(2, 1)",
                assertThrows(IllegalArgumentException.class, () -> Moe.of(4, 2, Ffn.swiglu(128))
                        .withSparseEvery(2, 2)).getMessage());
        assertEquals("spec 'none-route' has 1 problem:\n  - moe.sparseLayers = layers 5, 13, ... (every 8): picks "
                + "none of the 4 layers, so no layer would route; use a smaller offset or more layers; drop .moe(...) "
                + "for a dense model", assertThrows(InvalidSpecException.class, () -> jamba("none-route")
                .moe(Moe.of(4, 2, Ffn.swiglu(128)).withSparseEvery(8, 5)).build()).getMessage());
        assertEquals("spec 'no-ffn' has 1 problem:\n  - ffn = null: the feed-forward network must be set; e.g. "
                + ".ffn(Ffn.swiglu(1376)) or .ffn(Ffn.mlp(2048, Activation.GELU))", assertThrows(
                InvalidSpecException.class, () -> jamba("no-ffn").moe(null).ffn(null).build()).getMessage());
        assertEquals("spec 'moe-alone' has 1 problem:\n  - ssm = Mamba(innerDim=128, stateDim=16, convWidth=4, "
                + "dtRank=4, RMSNorm on dt, B, C): replaces both mixers of every block, so a mixture of experts or "
                + "latent attention has no place beside it; set moe and latentAttention to null, or interleave "
                + "attention with .hybrid(HybridPattern.softmaxEvery(8).withOffset(4)) for Jamba's blocks, which have "
                + "an FFN or experts", assertThrows(InvalidSpecException.class, () -> jamba("moe-alone").hybrid(null)
                .build()).getMessage());
        assertEquals("spec 'rope' has 1 problem:\n  - positional = RoPE(theta=10000.0, ADJACENT): a state space "
                + "model takes positions from its convolution and its recurrence, so it adds none; use "
                + ".positional(Positional.none())", assertThrows(InvalidSpecException.class, () -> jamba("rope")
                .positional(Positional.rope(10_000)).build()).getMessage());
    }
}
