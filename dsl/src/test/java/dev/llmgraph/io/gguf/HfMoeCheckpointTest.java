package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.safetensors.SafetensorsException;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Router;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hugging Face checkpoints of mixtures of experts (mixtral, qwen2_moe, qwen3_moe, olmoe), both ways. Round trips:
 * spec -> config.json -> spec equal (the presets, full and tiny); weights -> safetensors (one tensor per expert) ->
 * weights equal to the bit, logits equal. Then llama.cpp referees the same weights: the model read from the
 * safetensors is written as GGUF and run by llama.cpp, whose logits must equal llmgraph's within
 * {@link LlamaCppParityTest}'s 1e-4 (F32): this checks that the experts, the router and the shared expert land
 * in the stacks where llama.cpp's own graph expects them, that Mixtral's q/k rows are permuted back, and that
 * Qwen3-MoE's per-head and OLMoE's whole-width q and k norms are read.
 */
class HfMoeCheckpointTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16);

    /** The presets, and the tiny parity models ({@code Presets.tiny} scales a MoE's dense FFN apart from its experts). */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"mixtral-8x7b, 'llama, 4 experts top-2', MIXTRAL", "qwen1.5-moe-a2.7b, qwen2moe, QWEN2_MOE",
            "qwen3-30b-a3b, qwen3moe, QWEN3_MOE", "olmoe-1b-7b, olmoe, OLMOE"})
    void presetConfigsRoundTrip(String preset, String tiny, HfModelType type) {
        for (ModelSpec spec : List.of(Presets.byName(preset), TinyModels.all().get(tiny))) {
            assertEquals(type, HfConfig.modelTypeFor(spec), spec.name());
            assertEquals(spec, HfConfig.parse(HfConfig.toJson(spec), "config.json"), spec.name());
        }
    }

    @Test
    void qwenDenseLayersFirstAndRenormalisedRouterRoundTrip() {
        ModelSpec qwen = TinyModels.all().get("qwen2moe");
        ModelSpec spec = qwen.withMoe(qwen.moe().withDenseLayers(1).withRouter(Router.softmaxRenormalised()));
        String json = HfConfig.toJson(spec);
        assertTrue(json.contains("\"mlp_only_layers\": [\n    0\n  ]"), json);
        assertTrue(json.contains("\"norm_topk_prob\": true"), json);
        assertEquals(spec, HfConfig.parse(json, "config.json"));
    }

    @ParameterizedTest(name = "{0}: safetensors round trip, then llama.cpp on the same weights")
    @CsvSource({"'llama, 4 experts top-2', MIXTRAL", "qwen2moe, QWEN2_MOE", "qwen3moe, QWEN3_MOE", "olmoe, OLMOE"})
    void weightsRoundTripAndLlamaCppAgrees(String label, HfModelType type, @TempDir Path dir) throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get(label), type, 11, dir, (checkpoint, model) -> { });
    }

    @Test
    void expertTensorsAreOnePerExpertInHfNames(@TempDir Path dir) {
        try (Model model = Model.random(TinyModels.all().get("llama, 4 experts top-2"), WeightInit.lecun(1), CPU)) {
            SafetensorsExport.write(model, dir);
        }
        try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
            for (int e = 0; e < 4; e++) {
                for (String w : List.of("w1", "w2", "w3")) {
                    assertTrue(weights.tensorNames().contains("model.layers.1.block_sparse_moe.experts." + e + "." + w
                            + ".weight"), e + " " + w);
                }
            }
            assertTrue(weights.tensorNames().contains("model.layers.0.block_sparse_moe.gate.weight"));
        }
    }

    @Test
    void moreExpertsPerTokenThanExpertsIsRefusedByField() {
        String json = HfConfig.toJson(Presets.mixtral8x7b()).replace("\"num_experts_per_tok\": 2",
                "\"num_experts_per_tok\": 9");
        var e = assertThrows(HfConfigException.class, () -> HfConfig.parse(json, "config.json"));
        assertEquals("config.json: field 'num_experts_per_tok' = 9 is more than 'num_local_experts' = 8: a token goes "
                + "to at most every expert once; lower num_experts_per_tok or raise num_local_experts", e.getMessage());
    }

    @Test
    void aMissingExpertTensorIsNamed(@TempDir Path dir) throws Exception {
        ModelSpec spec = TinyModels.all().get("qwen2moe");
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU)) {
            SafetensorsExport.write(model, dir);
        }
        // Rename expert 5's up projection of layer 1 in the header, which keeps the file's layout valid.
        Path file = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        String from = "model.layers.1.mlp.experts.5.up_proj.weight", to = "model.layers.1.mlp.experts.5.up_proj.weigh_";
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(file, text.replace(from, to).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsWeights.loadModel(dir, CPU).close());
        assertEquals(dir.resolve("model.safetensors") + ": tensor 'model.layers.1.mlp.experts.5.up_proj.weight': not "
                + "found; llmgraph's blk.1.ffn_up_exps.weight comes from it", e.getMessage());
    }
}
