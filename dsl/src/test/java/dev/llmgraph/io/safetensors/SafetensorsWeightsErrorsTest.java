package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.HfTensor;
import dev.llmgraph.io.hf.HfNames;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.RopePairing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoints that do not hold a spec's weights, and broken shard indexes: each refused with a Java exception
 * naming the file, the tensor and the problem (word for word), and the JVM goes on to load a good one.
 */
class SafetensorsWeightsErrorsTest {
    @TempDir
    Path dir;

    private static final ModelSpec LLAMA = TinyCheckpoints.llama(RopePairing.HALVES);

    /** An F32 file of {@code tensors}, element i of each holding i. */
    private Path llamaFile(String name, Map<String, long[]> tensors) {
        HandWrittenSafetensors f = new HandWrittenSafetensors();
        tensors.forEach((tensor, shape) -> f.f32(tensor, shape, i -> i));
        return f.write(dir.resolve(name));
    }

    private static String refusal(ModelSpec spec, Path path) {
        return assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsWeights w = SafetensorsWeights.open(path, HfModelType.LLAMA);
                 Model m = Model.create(spec, w, ModelOptions.cpu().withThreads(1))) {
                fail("loaded " + m);
            }
        }).getMessage();
    }

    @Test
    void missingTensor() {
        Map<String, long[]> tensors = TinyCheckpoints.llamaTensors();
        tensors.remove("model.norm.weight");
        Path file = llamaFile("missing.safetensors", tensors);
        assertEquals(file + ": tensor 'model.norm.weight': not found; llmgraph's output_norm.weight comes from it",
                refusal(LLAMA, file));
    }

    @Test
    void wrongShapeForTheSpec_thenAGoodFileStillLoads() {
        Map<String, long[]> tensors = TinyCheckpoints.llamaTensors();
        tensors.put("model.layers.0.self_attn.q_proj.weight", new long[] {4, 8});
        Path file = llamaFile("shape.safetensors", tensors);
        assertEquals(file + ": tensor 'model.layers.0.self_attn.q_proj.weight': has shape [4, 8] but spec "
                + "'tiny-llama' needs [8, 8] for blk.0.attn_q.weight", refusal(LLAMA, file));
        Path good = llamaFile("good.safetensors", TinyCheckpoints.llamaTensors());
        try (SafetensorsWeights w = SafetensorsWeights.open(good, HfModelType.LLAMA);
             Model m = Model.create(LLAMA, w, ModelOptions.cpu().withThreads(1))) {
            assertEquals(3f, m.weight("output_norm.weight")[3]);
        }
    }

    @Test
    void fusedTensorOfTheWrongShape_namesEveryWeightInIt() {
        ModelSpec bloom = TinyCheckpoints.bloom();
        HandWrittenSafetensors f = new HandWrittenSafetensors();
        for (HfTensor t : HfNames.tensors(HfModelType.BLOOM, bloom)) {
            long[] shape = t.name().endsWith("query_key_value.weight") ? new long[] {16, 8} : t.shape();
            f.f32(t.name(), shape, i -> 0);
        }
        Path file = f.write(dir.resolve("bloom.safetensors"));
        var e = assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsWeights w = SafetensorsWeights.open(file, HfModelType.BLOOM)) {
                Model.create(bloom, w, ModelOptions.cpu().withThreads(1)).close();
            }
        });
        assertEquals(file + ": tensor 'transformer.h.0.self_attention.query_key_value.weight': has shape [16, 8] but "
                + "spec 'tiny-bloom' needs [24, 8] for blk.0.attn_q.weight, blk.0.attn_k.weight, blk.0.attn_v.weight",
                e.getMessage());
    }

    @Test
    void unsupportedDtype() {
        Map<String, long[]> rest = TinyCheckpoints.llamaTensors();
        rest.remove("model.norm.weight");
        HandWrittenSafetensors f = new HandWrittenSafetensors().raw("model.norm.weight", "I32", new long[] {8}, new byte[32]);
        rest.forEach((name, shape) -> f.f32(name, shape, i -> i));
        Path mixed = f.write(dir.resolve("mixed.safetensors"));
        assertEquals(mixed + ": tensor 'model.norm.weight': has dtype I32; llmgraph loads F32, F16 and BF16 weights",
                refusal(LLAMA, mixed));
    }

    @Test
    void aSpecWeightHfHasNoNameFor() {
        Path file = llamaFile("qknorm.safetensors", TinyCheckpoints.llamaTensors());
        ModelSpec qkNorm = LLAMA.withAttention(LLAMA.attention().withQkNorm(true));
        assertEquals(file + ": llmgraph weight 'blk.0.attn_q_norm.weight' has no counterpart in HF llama checkpoints",
                refusal(qkNorm, file));
    }

    @Test
    void folderWithoutWeightsOrConfig() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(empty + ": the folder holds neither model.safetensors nor model.safetensors.index.json",
                assertThrows(SafetensorsException.class, () -> SafetensorsWeights.open(empty, HfModelType.LLAMA))
                        .getMessage());
        Path file = llamaFile("alone.safetensors", TinyCheckpoints.llamaTensors());
        assertEquals(file + ": there is no config.json beside it to tell the model type; name the type: "
                + "SafetensorsWeights.open(path, HfModelType.LLAMA)",
                assertThrows(SafetensorsException.class, () -> SafetensorsWeights.open(file)).getMessage());
    }

    private Path index(Path folder, String json) throws IOException {
        Files.createDirectories(folder);
        return Files.writeString(folder.resolve("model.safetensors.index.json"), json);
    }

    @Test
    void shardedCheckpoint_handWrittenIndex_loadsLikeOneFile() throws IOException {
        Path folder = dir.resolve("sharded");
        TinyCheckpoints.Listing all = TinyCheckpoints.llamaListing("F32");
        Path single = all.write(dir.resolve("single.safetensors"));
        HandWrittenSafetensors first = new HandWrittenSafetensors(), second = new HandWrittenSafetensors();
        StringBuilder map = new StringBuilder();
        int k = 0;
        for (var e : TinyCheckpoints.llamaTensors().entrySet()) {
            String name = e.getKey();
            boolean early = k++ < 6;
            (early ? first : second).f32(name, e.getValue(), i -> all.at(name, i));
            map.append(map.isEmpty() ? "" : ",").append('"').append(name).append("\":\"")
                    .append(early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        first.write(folder.resolve("model-00001-of-00002.safetensors"));
        second.write(folder.resolve("model-00002-of-00002.safetensors"));
        index(folder, "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + map + "}}");
        try (SafetensorsWeights sharded = SafetensorsWeights.open(folder, HfModelType.LLAMA);
             SafetensorsWeights one = SafetensorsWeights.open(single, HfModelType.LLAMA);
             Model a = Model.create(LLAMA, sharded, ModelOptions.cpu().withThreads(1));
             Model b = Model.create(LLAMA, one, ModelOptions.cpu().withThreads(1))) {
            for (String w : a.weightNames()) {
                assertArrayEquals(b.weight(w), a.weight(w), w);
            }
            assertEquals("SafetensorsWeights(" + folder.resolve("model.safetensors.index.json") + ", llama, 12 tensors "
                    + "in 2 files)", sharded.toString());
        }
    }

    @Test
    void brokenIndexes() throws IOException {
        Path folder = dir.resolve("broken");
        new HandWrittenSafetensors().f32("model.norm.weight", new long[] {8}, i -> i)
                .write(folder.resolve("shard.safetensors"));
        Path index = index(folder, "{\"weight_map\":{\"model.norm.weight\":\"gone.safetensors\"}}");
        assertEquals(index + ": tensor 'model.norm.weight': is listed in shard 'gone.safetensors', which does not exist",
                openRefusal(folder));
        index(folder, "{\"weight_map\":{\"lm_head.weight\":\"shard.safetensors\"}}");
        assertEquals(index + ": tensor 'lm_head.weight': is listed in shard 'shard.safetensors', which does not hold it",
                openRefusal(folder));
        index(folder, "{\"metadata\":{}}");
        assertEquals(index + ": the index has no \"weight_map\" object of tensor names and shard files",
                openRefusal(folder));
        index(folder, "{\"weight_map\":{\"lm_head.weight\":\"../elsewhere.safetensors\"}}");
        assertEquals(index + ": tensor 'lm_head.weight': the weight_map entry = \"../elsewhere.safetensors\" must name "
                + "a shard file in " + folder.toAbsolutePath(), openRefusal(folder));
    }

    private static String openRefusal(Path folder) {
        return assertThrows(SafetensorsException.class, () -> SafetensorsWeights.open(folder, HfModelType.LLAMA))
                .getMessage();
    }
}
