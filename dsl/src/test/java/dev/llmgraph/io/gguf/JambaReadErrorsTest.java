package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Ssm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.llmgraph.io.gguf.GgufReadErrorsTest.readError;
import static dev.llmgraph.io.gguf.GgufReadErrorsTest.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bad jamba files and specs jamba cannot hold give words, not an abort: a missing Mamba norm tensor, attention
 * layers that do not repeat with one period, no attention layer at all, and a Mamba without jamba's norms.
 */
class JambaReadErrorsTest {
    @TempDir
    static Path dir;
    static Path jamba;

    @BeforeAll
    static void writeTinyJamba() {
        jamba = dir.resolve("jamba.gguf");
        try (Model model = Model.random(JambaParityTest.tinyJamba(), WeightInit.lecun(11), ModelOptions.cpu())) {
            GgufModels.write(model, jamba);
        }
    }

    @Test
    void theFileReadsBackAsTheSpec() {
        assertEquals(JambaParityTest.tinyJamba(), GgufModels.spec(jamba));
    }

    @Test
    void aMissingMambaNormIsNamed() {
        Path file = variant(jamba, "no-b-norm", keys -> { }, w -> { }, "blk.0.ssm_b_norm.weight");
        assertEquals(file + ": tensor 'blk.0.ssm_b_norm.weight' is missing; the jamba model its keys describe needs "
                + "it", readError(file));
    }

    @Test
    void attentionLayersWithoutOnePeriodAreRefused() {
        Path file = variant(jamba, "irregular", keys -> keys.put("jamba.attention.head_count_kv",
                GgufValue.int32s(2, 0, 2, 2)), w -> { });
        assertEquals(file + ": key 'jamba.attention.head_count_kv' puts attention on layers [0, 2, 3], which do not "
                + "repeat with one period from the first period on; llmgraph's hybrid stacks put attention on every "
                + "n-th layer at one offset", readError(file));
    }

    @Test
    void noAttentionLayerIsRefused() {
        Path file = variant(jamba, "no-attention", keys -> keys.put("jamba.attention.head_count_kv",
                GgufValue.int32s(0, 0, 0, 0)), w -> { });
        assertEquals(file + ": key 'jamba.attention.head_count_kv' = [0, 0, 0, 0] makes no layer an attention "
                + "layer; a jamba model interleaves Mamba (0) with attention", readError(file));
    }

    @Test
    void llamaRefusesExpertsOnEveryOtherLayer() {
        ModelSpec mixtral = TinyModels.all().get("llama, 4 experts top-2");
        ModelSpec alternating = mixtral.withMoe(mixtral.moe().withSparseEvery(2, 1));
        assertEquals(java.util.List.of("experts on layers 1, 3, ... (every 2) with a llama architecture (llama.cpp's "
                + "llama graph routes every layer)"), GgufReport.of(alternating).problems());
    }

    @Test
    void mambaWithoutJambasNormsMapsToNoArchitecture() {
        ModelSpec plain = JambaParityTest.tinyJamba().withSsm(Ssm.mamba(64));
        assertEquals("tiny-jamba maps to no llama.cpp architecture; the closest, jamba, differs in:\n"
                + "  Mamba without norms on dt, B and C with a jamba architecture (llama.cpp's jamba graph "
                + "RMS-normalises them with learned gains (Ssm.withDtBcNorm(true)))", GgufReport.of(plain).toString());
    }
}
