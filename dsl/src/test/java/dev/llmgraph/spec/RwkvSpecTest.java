package dev.llmgraph.spec;

import dev.llmgraph.io.gguf.GgufReport;
import dev.llmgraph.model.lower.TrainingSupport;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RWKV as a spec: the presets' published parameter counts written out by hand from their configs, the state of a
 * few megabytes at any context; refusals word for word; the GGUF mapping it finds; training refused in words.
 */
class RwkvSpecTest {
    private static ModelBuilder rwkv(String name, int dModel, Rwkv mixer) {
        return Transformer.causalDecoder(name).vocabSize(100).dModel(dModel).layers(2).contextLength(64)
                .positional(Positional.none()).norm(Norm.layer(1e-5), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true)).rwkv(mixer);
    }

    @Test
    void finch1b6CountsItsPublishedParametersAndAStateOf13Megabytes() {
        // https://huggingface.co/RWKV/rwkv-6-world-1b6/blob/main/config.json: hidden 2048, 24 layers, heads of 64,
        // ffn int(3.5 x 2048 / 32) x 32 = 7168, vocab 65536, untied; LoRA ranks 32 (token shift) and 64 (decay).
        ModelSpec spec = Presets.byName("rwkv6-finch-1.6b");
        long d = 2048, f = 7168, v = 65_536;
        long timeMix = d + 5 * d + d * 5 * 32 + 32 * d * 5 + d + d + d * 64 + 64 * d + 5 * d * d + 2 * d;
        long channelMix = 2 * d + d * f + f * d + d * d;
        assertEquals(timeMix, spec.rwkv().parameters(2048));
        assertEquals(channelMix, spec.rwkv().channelMix().parameters(2048));
        assertEquals(2 * v * d + 2 * 2 * d + 24 * (timeMix + channelMix + 4 * d), spec.parameterCount());
        assertEquals(1_599_873_024L, spec.parameterCount());
        // two token shifts and 32 heads of 64 x 64 per layer, F32
        assertEquals(4L * 24 * (2 * d + 32 * 64 * 64), spec.accounting().recurrentStateBytes());
        assertEquals(12_976_128L, spec.accounting().recurrentStateBytes());
        assertEquals(0, spec.accounting().kvCacheBytes(1_000_000, dev.llmgraph.storage.StorageType.F16));
    }

    @Test
    void goose1b5CountsItsPublishedParametersWithoutAValueResidualOnLayer0() {
        // https://huggingface.co/fla-hub/rwkv7-1.5B-world/blob/main/config.json: hidden 2048, 24 layers, heads of 64,
        // ffn 8192, LoRA ranks decay 96, a 96, v 64, gate 256, vocab 65536, untied.
        ModelSpec spec = Presets.byName("rwkv7-goose-1.5b");
        long d = 2048, v = 65_536;
        long common = (d + 2 * d * 96) + (d + 2 * d * 96) + 2 * d * 256 + 6 * d + 3 * d + 4 * d * d + 2 * d;
        long valueResidual = d + 2 * d * 64;
        long channelMix = d + 2 * d * 8192;
        assertEquals(common, ((Rwkv7) spec.rwkv()).parameters(2048, true));
        assertEquals(2 * v * d + 4 * d + 24 * (common + channelMix + 4 * d) + 23 * valueResidual,
                spec.parameterCount());
        assertEquals(1_527_404_544L, spec.parameterCount());
        assertEquals("rwkv7", GgufReport.of(spec).architecture().orElseThrow());
    }

    @Test
    void aBlockIsTimeMixThenChannelMixWithLlamaCppsNames() {
        ModelSpec spec = rwkv("r", 64, new Rwkv6(64, 224, 8, 8)).build();
        assertInstanceOf(Rwkv6.class, spec.layer(1).mixer());
        assertEquals(new RwkvChannelMix(224, true), spec.layer(1).channel());
        assertNull(spec.attention());
        assertNull(spec.ffn());
        assertEquals(224, spec.ffnDim());
        assertEquals(spec, spec.toBuilder().build());
        assertTrue(spec.describe().contains("mixer       RWKV-6(headSize=64, ffnDim=224, mixRank=8, decayRank=8)"),
                spec.describe());
        List<String> names = spec.plan().blocks().get(1).weights().stream().map(WeightLayout.Weight::name).toList();
        assertEquals("blk.1.attn_norm.weight", names.getFirst());
        assertTrue(names.contains("blk.1.attn_norm_2.bias") && names.contains("blk.1.time_mix_lerp_fused.weight")
                && names.contains("blk.1.channel_mix_receptance.weight"), names.toString());
        assertEquals("rwkv6", GgufReport.of(spec).architecture().orElseThrow());
        String text = dev.llmgraph.display.BlockDiagram.of(spec).toString();
        assertTrue(text.contains("  x = x + TimeMix(LayerNorm(x))    RWKV-6(headSize=64, ffnDim=224, mixRank=8, "
                + "decayRank=8); no positions"), text);
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        var e = assertThrows(InvalidSpecException.class, () -> rwkv("bad-rwkv", 96, new Rwkv6(48, 0, 8, 8))
                .positional(Positional.rope(10_000)).norm(Norm.layer(1e-5), NormPlacement.POST).build());
        assertEquals("spec 'bad-rwkv' has 4 problems:\n"
                + "  - rwkv.ffnDim = 0: must be at least 1; RWKV-6 1.6B's channel mixing is 7168 wide, RWKV-7 1.5B's "
                + "8192\n"
                + "  - rwkv.headSize = 48: must be 64 or 128: ggml's WKV kernels are written for those head sizes; "
                + "RWKV-6 and RWKV-7 use heads of 64\n"
                + "  - positional = " + Positional.rope(10_000) + ": RWKV takes positions from its token shift and its "
                + "decaying recurrence, so it adds none; use .positional(Positional.none())\n"
                + "  - placement = POST: RWKV blocks are x + TimeMix(Norm(x)), x + ChannelMix(Norm(x)): only PRE "
                + "placement without a parallel block is lowered; use .norm(Norm.layer(1e-5), NormPlacement.PRE)",
                e.getMessage());
        var split = assertThrows(InvalidSpecException.class, () -> rwkv("split", 96, new Rwkv6(64, 96, 8, 8))
                .build());
        assertEquals("spec 'split' has 1 problem:\n  - rwkv.headSize = 64: must divide dModel = 96: the stream is "
                + "split into heads of headSize channels, each with a headSize x headSize state; RWKV-6 and RWKV-7 use "
                + "heads of 64", split.getMessage());
        assertEquals("rwkv.mixRank = 0: must be at least 1; RWKV-6 1.6B's token-shift LoRA has rank 32 "
                + "(time_mix_extra_dim)", assertThrows(IllegalArgumentException.class,
                () -> Rwkv6.finch(64).withRanks(0, 8)).getMessage());
    }

    @Test
    void ggufSaysWhatAnRwkvSpecLacksForLlamaCpp() {
        GgufReport tied = GgufReport.of(rwkv("tied", 64, new Rwkv7(64, 256, 8, 8, 8, 8)).tiedEmbeddings(true).build());
        assertEquals(List.of("tied embeddings with a rwkv7 architecture (llama.cpp's rwkv7 graph loads a separate "
                + "output head, output.weight)"), tied.problems());
    }

    @Test
    void trainingIsRefusedInWords() {
        assertEquals(List.of("training: ggml has no gradient for the WKV recurrences RWKV is lowered with "
                + "(rwkv_wkv6, rwkv_wkv7); keep RWKV models to inference, or train softmax attention"),
                TrainingSupport.problems(rwkv("r", 64, new Rwkv6(64, 224, 8, 8)).build()));
    }
}
