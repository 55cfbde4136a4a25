package dev.llmgraph.io.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hugging Face gemma2 checkpoints, both ways: the tiny gemma2 of {@link TinyModels} (sandwich norms, soft-caps, a
 * window on every other layer, heads of 32 in a width of 64) saved as safetensors and loaded back to the bit, then
 * written as GGUF and run by llama.cpp's gemma2 graph, whose logits must equal llmgraph's within
 * {@link LlamaCppParityTest}'s 1e-4 (F32). The file's bytes are read with Jackson and ByteBuffer: Gemma's RMSNorm
 * multiplies by 1 + w, so each of the four norms of a layer and the final one hold llmgraph's gain minus one, under
 * Gemma 2's names. That is the convention llama.cpp's converter undoes when it adds one.
 */
class HfGemma2CheckpointTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16);

    @Test
    void weightsRoundTripWithGainsStoredMinusOne_andLlamaCppAgrees(@TempDir Path dir) throws IOException {
        ModelSpec spec = TinyModels.all().get("gemma2");
        int[] prompt = TinyModels.prompt(24);
        Path checkpoint = dir.resolve("hf"), gguf = dir.resolve("from-hf.gguf");
        float[] fromHf;
        try (Model original = Model.random(spec, WeightInit.lecun(17), CPU)) {
            SafetensorsExport.write(original, checkpoint);
            assertEquals(HfModelType.GEMMA2, HfConfig.modelType(checkpoint));
            assertEquals(spec, HfConfig.read(checkpoint));
            assertGainsStoredMinusOne(checkpoint.resolve("model.safetensors"), original);
            try (Model loaded = SafetensorsWeights.loadModel(checkpoint, CPU)) {
                assertEquals(original.weightNames(), loaded.weightNames());
                for (String w : original.weightNames()) {
                    assertArrayEquals(original.weight(w), loaded.weight(w), 0f, w);
                }
                fromHf = LlamaCppParityTest.overWholeContext(loaded, prompt);
                assertArrayEquals(LlamaCppParityTest.overWholeContext(original, prompt), fromHf, 0f);
                GgufModels.write(loaded, gguf);
            }
        }
        float[] reference;
        try (LlamaReference llama = LlamaReference.open(gguf, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(2))) {
            reference = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        Difference difference = Difference.of(fromHf, reference);
        assertTrue(difference.relative() <= 1e-4, "llmgraph from safetensors vs llama.cpp: " + difference);
    }

    private static void assertGainsStoredMinusOne(Path file, Model original) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bytes.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes.array(), 8, headerLength,
                StandardCharsets.UTF_8));
        List<String[]> norms = List.of(new String[] {"blk.1.attn_norm.weight", "model.layers.1.input_layernorm.weight"},
                new String[] {"blk.1.attn_post_norm.weight", "model.layers.1.post_attention_layernorm.weight"},
                new String[] {"blk.1.ffn_norm.weight", "model.layers.1.pre_feedforward_layernorm.weight"},
                new String[] {"blk.1.ffn_post_norm.weight", "model.layers.1.post_feedforward_layernorm.weight"},
                new String[] {"output_norm.weight", "model.norm.weight"});
        for (String[] norm : norms) {
            JsonNode tensor = header.get(norm[1]);
            assertTrue(tensor != null, norm[1] + " in the file");
            float[] gain = original.weight(norm[0]);
            long begin = 8 + headerLength + tensor.get("data_offsets").get(0).asLong();
            for (int i = 0; i < gain.length; i++) {
                assertEquals(gain[i] - 1, bytes.getFloat((int) (begin + 4L * i)), norm[1] + "[" + i + "]");
            }
        }
    }
}
