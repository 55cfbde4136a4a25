package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.safetensors.SafetensorsDtype;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsFile;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hugging Face deepseek_v2 checkpoints (DeepSeek-V2 and V2-Lite layouts), both ways. The config round trip: spec ->
 * config.json -> spec equal (the presets and two tiny forms). The weights: a tiny random model written as
 * config.json + safetensors and read back has the same weights to the bit and the same logits exactly; written
 * again as GGUF and read by llmgraph it gives the same logits exactly; and llama.cpp's deepseek2 graph on that GGUF
 * (the V2-Lite form, which llama.cpp computes) agrees within {@link LlamaCppParityTest}'s 1e-4 (F32). Since both
 * directions use one mapping, the split of kv_b_proj is also checked against DeepSeek's own definition, on the
 * file: kv_b_proj times a latent, viewed as [heads, nope + v], gives each head's no-RoPE key and its value.
 */
class HfDeepSeekV2CheckpointTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16);

    /** V2-Lite's form (TinyModels' "deepseek2") and V2's: a low-rank query, YaRN, scaled router, expert groups. */
    static Map<String, ModelSpec> forms() {
        ModelSpec v2 = TinyModels.all().get("deepseek2, q low-rank, YaRN").withName("tiny-deepseek-v2");
        v2 = v2.withFfn(Ffn.swiglu(96)).withMoe(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(Router.softmax().withScale(2.5)
                .withGroups(ExpertGroups.of(4, 2).withRanking(ExpertGroups.Ranking.BEST_EXPERT)))
                .withShared(SharedExperts.of(2, 32)).withDenseLayers(1));
        return Map.of("v2-lite", TinyModels.all().get("deepseek2"), "v2", v2);
    }

    @Test
    void presetAndTinyConfigsRoundTrip() {
        ModelSpec dense = forms().get("v2-lite").withMoe(null); // n_routed_experts null: every layer dense
        for (ModelSpec spec : new ModelSpec[] {Presets.deepSeekV2Lite(), Presets.deepSeekV2(), forms().get("v2-lite"),
                forms().get("v2"), dense}) {
            assertEquals(HfModelType.DEEPSEEK_V2, HfConfig.modelTypeFor(spec), spec.name());
            assertEquals(spec, HfConfig.parse(HfConfig.toJson(spec), "config.json"), spec.name());
        }
    }

    @ParameterizedTest(name = "{0}: safetensors and back, then GGUF")
    @ValueSource(strings = {"v2-lite", "v2"})
    void weightsRoundTripAndGiveTheSameLogits(String form, @TempDir Path dir) throws IOException {
        ModelSpec spec = forms().get(form);
        int[] prompt = TinyModels.prompt(24);
        Path checkpoint = dir.resolve("hf");
        float[] original, fromHf;
        try (Model model = Model.random(spec, WeightInit.lecun(11), CPU)) {
            SafetensorsExport.write(model, checkpoint);
            original = LlamaCppParityTest.overWholeContext(model, prompt);
            kvBMatchesDeepSeeksDefinition(model, checkpoint.resolve("model.safetensors"));
        }
        assertEquals(HfModelType.DEEPSEEK_V2, HfConfig.modelType(checkpoint));
        assertEquals(spec, HfConfig.read(checkpoint));
        Path gguf = dir.resolve("from-hf.gguf");
        try (Model loaded = SafetensorsWeights.loadModel(checkpoint, CPU)) {
            fromHf = LlamaCppParityTest.overWholeContext(loaded, prompt);
            assertArrayEquals(original, fromHf, 0f, "the model read from safetensors");
            if (form.equals("v2")) {
                // llama.cpp ranks groups by their two best experts, so DeepSeek-V2's own routing has no GGUF file.
                var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                        () -> GgufModels.write(loaded, gguf));
                assertTrue(e.getMessage().contains("experts in groups ranked by their best expert (DeepSeek-V2's "
                        + "group_limited_greedy) with a deepseek2 architecture"), e.getMessage());
                return;
            }
            GgufModels.write(loaded, gguf);
        }
        try (Model fromGguf = GgufModels.load(gguf, CPU)) {
            assertArrayEquals(original, LlamaCppParityTest.overWholeContext(fromGguf, prompt), 0f, "from GGUF");
        }
        try (LlamaReference llama = LlamaReference.open(gguf, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(2))) {
            Difference difference = Difference.of(fromHf, LlamaCppParityTest.flatten(llama.logits(prompt)));
            assertTrue(difference.relative() <= 1e-4, "llmgraph from safetensors vs llama.cpp: " + difference);
        }
    }

    /**
     * For a random latent c and every layer: DeepSeek's k_nope and v of head h are rows h (nope + v) .. of
     * kv_b_proj c (first nope, then v), read from the file; llmgraph's are W_UK,h^T c and W_UV,h c from attn_k_b
     * [nope, rank, H] and attn_v_b [rank, v, H] (ggml order). Equal within float rounding (1e-5 relative).
     */
    private static void kvBMatchesDeepSeeksDefinition(Model model, Path file) throws IOException {
        LatentAttention l = model.spec().latent();
        int heads = l.heads(), nope = l.nopeHeadDim(), value = l.valueHeadDim(), rank = l.kvRank();
        double[] c = new SplittableRandom(5).doubles(rank, -1, 1).toArray();
        for (int layer = 0; layer < model.spec().layers(); layer++) {
            float[] kvB = readF32(file, "model.layers." + layer + ".self_attn.kv_b_proj.weight");
            float[] kB = model.weight("blk." + layer + ".attn_k_b.weight");
            float[] vB = model.weight("blk." + layer + ".attn_v_b.weight");
            for (int h = 0; h < heads; h++) {
                for (int row = 0; row < nope + value; row++) {
                    double deepSeek = 0, llmgraph = 0, size = 0;
                    for (int r = 0; r < rank; r++) {
                        deepSeek += kvB[(h * (nope + value) + row) * rank + r] * c[r];
                        llmgraph += (row < nope ? kB[row + nope * (r + rank * h)]
                                : vB[r + rank * ((row - nope) + value * h)]) * c[r];
                        size += Math.abs(kvB[(h * (nope + value) + row) * rank + r] * c[r]);
                    }
                    assertEquals(deepSeek, llmgraph, 1e-5 * size, "layer " + layer + " head " + h + " row " + row);
                }
            }
        }
    }

    private static float[] readF32(Path file, String tensor) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            SafetensorsFile.Entry e = f.entry(tensor);
            assertEquals(SafetensorsDtype.F32, e.dtype(), tensor);
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long dataStart = 8 + buffer.getLong(0);
            float[] out = new float[(int) e.elements()];
            buffer.position((int) (dataStart + e.begin()));
            buffer.asFloatBuffer().get(out);
            return out;
        }
    }
}
