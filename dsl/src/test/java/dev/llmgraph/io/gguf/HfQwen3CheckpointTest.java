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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hugging Face qwen3 checkpoints, both ways: the tiny qwen3 of {@link TinyModels} (heads of 32 in a width of 64, q
 * and k RMS-normalised per head) is saved as safetensors, its per-head norms under Qwen3's own names
 * ({@code self_attn.q_norm}, {@code k_norm}, one gain of head_dim), loaded back to the bit, then written as GGUF and
 * run by llama.cpp's qwen3 graph, whose logits must equal llmgraph's within {@link LlamaCppParityTest}'s 1e-4 (F32).
 * That checks that q and k are not permuted (qwen3 rotates halves, as HF does) and that the norms land where
 * llama.cpp's graph reads them.
 */
class HfQwen3CheckpointTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16);

    @Test
    void weightsRoundTripUnderQwen3Names_andLlamaCppAgrees(@TempDir Path dir) throws IOException {
        ModelSpec spec = TinyModels.all().get("qwen3");
        int[] prompt = TinyModels.prompt(24);
        Path checkpoint = dir.resolve("hf"), gguf = dir.resolve("from-hf.gguf");
        float[] fromHf;
        try (Model original = Model.random(spec, WeightInit.lecun(13), CPU)) {
            SafetensorsExport.write(original, checkpoint);
            assertEquals(HfModelType.QWEN3, HfConfig.modelType(checkpoint));
            assertEquals(spec, HfConfig.read(checkpoint));
            assertQwen3NormsInFile(checkpoint.resolve("model.safetensors"), original);
            try (Model loaded = SafetensorsWeights.loadModel(checkpoint, CPU)) {
                assertEquals(original.weightNames(), loaded.weightNames());
                for (String w : original.weightNames()) {
                    assertArrayEquals(original.weight(w), loaded.weight(w), 0f, w);
                }
                assertEquals(32, loaded.weight("blk.1.attn_q_norm.weight").length);
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

    /** Each layer's q and k gains under HF's names, read from the file's bytes with Jackson (lecun's gains differ). */
    private static void assertQwen3NormsInFile(Path file, Model original) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bytes.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8));
        for (int layer = 0; layer < 2; layer++) {
            for (String qk : new String[] {"q", "k"}) {
                JsonNode tensor = header.get("model.layers." + layer + ".self_attn." + qk + "_norm.weight");
                assertEquals("[32]", tensor.get("shape").toString(), qk + "_norm of layer " + layer);
                float[] gain = original.weight("blk." + layer + ".attn_" + qk + "_norm.weight");
                long begin = 8 + headerLength + tensor.get("data_offsets").get(0).asLong();
                for (int i = 0; i < gain.length; i++) {
                    assertEquals(gain[i], bytes.getFloat((int) (begin + 4L * i)), qk + "_norm[" + i + "]");
                }
            }
        }
    }
}
