package dev.llmgraph.spec;

import dev.llmgraph.io.gguf.GgufReport;
import dev.llmgraph.model.lower.TrainingSupport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A selective state space (Mamba) as a spec: its refusals, word for word; what the plan counts, written out by hand
 * (Mamba-130M's parameters and its state of a few megabytes at any context); the GGUF mapping it finds; training
 * refused in words.
 */
class SsmSpecTest {
    private static ModelBuilder mamba(String name, int dModel, int layers, int vocab) {
        return Transformer.causalDecoder(name).vocabSize(vocab).dModel(dModel).layers(layers).contextLength(2048)
                .positional(Positional.none()).norm(Norm.rms(1e-5)).tiedEmbeddings(true).ssm(Ssm.mamba(dModel));
    }

    @Test
    void mamba130mCountsItsPublishedParametersAndAStateOfAFewMegabytes() {
        // https://huggingface.co/state-spaces/mamba-130m/blob/main/config.json: d_model 768, n_layer 24,
        // vocab_size 50277 padded to 50280, tied; Mamba's defaults d_state 16, d_conv 4, expand 2, dt_rank 48.
        ModelSpec spec = mamba("mamba-130m", 768, 24, 50_280).build();
        long d = 768, di = 1536, ds = 16, r = 48;
        long perLayer = d * 2 * di + 4 * di + di + di * (r + 2 * ds) + r * di + di + ds * di + di + di * d + d;
        assertEquals(3_771_648, perLayer);
        assertEquals(50_280 * d + 24 * perLayer + d, spec.parameterCount());
        assertEquals(129_135_360, spec.parameterCount());
        assertEquals(4L * 24 * (3 * di + ds * di), spec.accounting().recurrentStateBytes());
        assertEquals(0, spec.accounting().kvCacheBytes(1_000_000, dev.llmgraph.storage.StorageType.F16));
    }

    @Test
    void aMambaBlockIsTheMixerAloneWithoutAttentionOrFfn() {
        ModelSpec spec = mamba("m", 64, 2, 100).build();
        assertInstanceOf(Ssm.class, spec.layer(1).mixer());
        assertNull(spec.layer(1).channel());
        assertNull(spec.attention());
        assertNull(spec.ffn());
        assertEquals(spec, spec.toBuilder().build());
        assertEquals(new Ssm(128, 16, 4, 4), spec.ssm());
        assertTrue(spec.describe().contains("mixer       Mamba(innerDim=128, stateDim=16, convWidth=4, dtRank=4)"),
                spec.describe());
        assertEquals(List.of("blk.0.attn_norm.weight", "blk.0.ssm_in.weight", "blk.0.ssm_conv1d.weight",
                "blk.0.ssm_conv1d.bias", "blk.0.ssm_x.weight", "blk.0.ssm_dt.weight", "blk.0.ssm_dt.bias",
                "blk.0.ssm_a", "blk.0.ssm_d", "blk.0.ssm_out.weight"), spec.plan().blocks().getFirst().weights()
                .stream().map(WeightLayout.Weight::name).toList());
    }

    @Test
    void settersRefuseTheirOwnBadArgumentInWords() {
        assertEquals("ssm.convWidth = 0: must be at least 2: the causal convolution reads the token and the "
                + "convWidth - 1 before it, which the recurrent state carries; Mamba uses 4",
                assertThrows(IllegalArgumentException.class, () -> Ssm.mamba(64).withConvWidth(0)).getMessage());
        assertEquals("ssm.stateDim = 0: must be at least 1; Mamba keeps 16 state values per channel",
                assertThrows(IllegalArgumentException.class, () -> Ssm.mamba(64).withStateDim(0)).getMessage());
        assertEquals("ssm.dtRank = -1: must be at least 1; Mamba uses ceil(dModel / 16)",
                assertThrows(IllegalArgumentException.class, () -> Ssm.mamba(64).withDtRank(-1)).getMessage());
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        var e = assertThrows(InvalidSpecException.class, () -> Transformer.causalDecoder("bad-mamba").vocabSize(100)
                .dModel(64).layers(2).contextLength(64).positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.POST).ssm(new Ssm(0, 0, 1, 4)).build());
        assertEquals("spec 'bad-mamba' has 5 problems:\n"
                + "  - ssm.innerDim = 0: must be at least 1; Mamba expands the stream to 2 x dModel channels\n"
                + "  - ssm.stateDim = 0: must be at least 1; Mamba keeps 16 state values per channel\n"
                + "  - ssm.convWidth = 1: must be at least 2: the causal convolution reads the token and the "
                + "convWidth - 1 before it, which the recurrent state carries; Mamba uses 4\n"
                + "  - positional = " + Positional.rope(10_000) + ": a state space model takes positions from its "
                + "convolution and its recurrence, so it adds none; use .positional(Positional.none())\n"
                + "  - placement = POST: Mamba blocks are x + Mamba(Norm(x)): only PRE placement without a parallel "
                + "block is lowered; use .norm(Norm.rms(1e-5), NormPlacement.PRE)", e.getMessage());
    }

    @Test
    void ggufMapsItToMambaAndSaysWhyAnotherExpansionDoesNot() {
        assertEquals("mamba", GgufReport.of(mamba("m", 64, 2, 100).build()).architecture().orElseThrow());
        GgufReport wide = GgufReport.of(mamba("wide", 64, 2, 100).ssm(Ssm.mamba(64).withInnerDim(192)).build());
        assertEquals(List.of("ssm.innerDim = 192 with a mamba architecture (llama.cpp's mamba graph loads only an "
                + "expansion factor of 2: innerDim = 2 x dModel = 128)"), wide.problems());
    }

    @Test
    void presetsAndTheirSummaryAndDiagram() {
        ModelSpec spec = dev.llmgraph.presets.Presets.byName("mamba-2.8b");
        assertEquals(2_768_345_600L, spec.parameterCount());
        assertEquals("tiny-mamba-130m", dev.llmgraph.presets.Presets.byName("tiny-mamba-130m").name());
        String html = dev.llmgraph.display.SpecSummary.of(spec).html();
        assertTrue(html.contains("x + Mamba(N(x)): the mixer alone, no FFN"), html);
        String text = dev.llmgraph.display.BlockDiagram.of(spec).toString();
        assertTrue(text.contains("  x = x + Mamba(RMSNorm(x))    Mamba(innerDim=5120, stateDim=16, convWidth=4, "
                + "dtRank=160); no positions, no FFN"), text);
    }

    @Test
    void mamba2CountsItsHeadsAndGroupsAndMapsToMamba2() {
        ModelSpec spec = mamba("m2", 64, 2, 100).ssm(Mamba2.of(64).withStateDim(16).withHeads(8, 2)).build();
        long d = 64, di = 128, channels = di + 2 * 2 * 16, heads = 8;
        assertEquals(d * (di + channels + heads) + 5 * channels + 3 * heads + di + di * d + d,
                spec.plan().blocks().getFirst().weights().stream().mapToLong(WeightLayout.Weight::elements).sum());
        assertEquals(4L * 2 * (3 * channels + 16 * di), spec.accounting().recurrentStateBytes());
        assertEquals("mamba2", GgufReport.of(spec).architecture().orElseThrow());
        assertEquals("mamba2.heads = 0: must be at least 1; Mamba-2 uses heads of 64: innerDim / 64 heads",
                assertThrows(IllegalArgumentException.class, () -> Mamba2.of(64).withHeads(0, 1)).getMessage());
        assertEquals(2_702_599_680L, dev.llmgraph.presets.Presets.byName("mamba2-2.7b").parameterCount());
    }

    @Test
    void trainingIsRefusedInWords() {
        assertEquals(List.of("training: ggml has no gradient for the state space ops Mamba is lowered with (ssm_conv, "
                + "ssm_scan); keep Mamba models to inference, or train softmax attention"),
                TrainingSupport.problems(mamba("m", 64, 2, 100).build()));
    }
}
