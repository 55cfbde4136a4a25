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
 * The round trip the Hugging Face checkpoint tests share: a tiny random model of {@code spec} saved as safetensors
 * (with its config.json, read back as {@code type} and the same spec), loaded back with every weight equal to the
 * bit and the same logits, then written as GGUF and run by llama.cpp, whose logits must equal llmgraph's within
 * {@link LlamaCppParityTest}'s 1e-4 of the largest logit (F32).
 */
final class HfCheckpointReferee {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16);

    /** What a test checks in the written checkpoint before it is loaded: its bytes, names, layout. */
    interface FileCheck {
        void check(Path checkpoint, Model original) throws IOException;
    }

    private HfCheckpointReferee() {}

    /**
     * The F32 elements of tensor {@code name} of the safetensors {@code file}, read from its bytes with Jackson and
     * ByteBuffer, independently of llmgraph's reader.
     */
    static float[] storedF32(Path file, String name) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bytes.getLong(0);
        JsonNode tensor = new ObjectMapper().readTree(new String(bytes.array(), 8, headerLength,
                StandardCharsets.UTF_8)).get(name);
        assertTrue(tensor != null, name + " in " + file);
        assertEquals("F32", tensor.get("dtype").asText(), name);
        long begin = 8 + headerLength + tensor.get("data_offsets").get(0).asLong();
        long end = 8 + headerLength + tensor.get("data_offsets").get(1).asLong();
        float[] values = new float[(int) ((end - begin) / 4)];
        for (int i = 0; i < values.length; i++) {
            values[i] = bytes.getFloat((int) (begin + 4L * i));
        }
        return values;
    }

    static void roundTripThenLlamaCpp(ModelSpec spec, HfModelType type, long seed, Path dir, FileCheck fileCheck)
            throws IOException {
        int[] prompt = TinyModels.prompt(24);
        Path checkpoint = dir.resolve("hf"), gguf = dir.resolve("from-hf.gguf");
        float[] fromHf;
        try (Model original = Model.random(spec, WeightInit.lecun(seed), CPU)) {
            SafetensorsExport.write(original, checkpoint);
            assertEquals(type, HfConfig.modelType(checkpoint));
            assertEquals(spec, HfConfig.read(checkpoint));
            fileCheck.check(checkpoint, original);
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
}
