package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.NoHfEquivalentException;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.hf.HfConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tiny random models (2 layers, width 32) exported as HF checkpoints and loaded back: the reference is the
 * original model, and F32 weights and logits must match exactly (same values, same kernels). The file
 * layout is checked independently by reading its bytes with Jackson and ByteBuffer, and the RoPE row
 * permutation by the rotation's own symmetry (both pairings of the same weights give the same logits).
 */
class SafetensorsExportTest {
    @TempDir
    Path dir;

    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    private static final int[] TOKENS = {1, 7, 42, 3, 200, 9, 255, 0};

    static Stream<Arguments> families() {
        ModelSpec llama = Presets.byName("tiny-llama-2-7b");
        ModelSpec qwen2 = llama.toBuilder().name("tiny-qwen2")
                .attention(Attention.grouped(4, 2).withHeadDim(8).withBias(true, false).withSlidingWindow(4))
                .positional(Positional.rope(1e6).withPairing(RopePairing.HALVES)).tiedEmbeddings(true).build();
        ModelSpec scaledLlama = llama.toBuilder().name("tiny-llama-yarn")
                .attention(llama.attention().withBias(true))
                .positional(((Positional.Rope) llama.positional()).withScaling(RopeScaling.yarn(4, 32))).build();
        ModelSpec falcon = Presets.byName("tiny-falcon-7b");
        return Stream.of(
                Arguments.of(Presets.byName("tiny-gpt2-small"), HfModelType.GPT2),
                Arguments.of(llama, HfModelType.LLAMA),
                Arguments.of(scaledLlama, HfModelType.LLAMA),
                Arguments.of(Presets.byName("tiny-mistral-7b"), HfModelType.MISTRAL),
                Arguments.of(qwen2, HfModelType.QWEN2),
                Arguments.of(Presets.byName("tiny-qwen3-0.6b"), HfModelType.QWEN3),
                Arguments.of(Presets.byName("tiny-bloom-560m"), HfModelType.BLOOM),
                Arguments.of(falcon, HfModelType.FALCON),
                Arguments.of(falcon.withName("tiny-falcon-40b").withAttention(Attention.grouped(4, 2).withHeadDim(8)),
                        HfModelType.FALCON));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("families")
    void exportThenLoad_identicalWeightsAndLogits_f32(ModelSpec spec, HfModelType type) {
        Path out = dir.resolve(spec.name());
        try (Model original = Model.random(spec, WeightInit.lecun(7), CPU)) {
            List<Path> written = SafetensorsExport.write(original, out);
            assertEquals(List.of(out.resolve("model.safetensors"), out.resolve("config.json")), written);
            assertEquals(type, HfConfig.modelType(out));
            try (Model loaded = SafetensorsWeights.loadModel(out, CPU)) {
                assertSameWeights(original, loaded);
                assertArrayEquals(original.forward(TOKENS).toArray(), loaded.forward(TOKENS).toArray(), 0f);
            }
        }
    }

    private static void assertSameWeights(Model expected, Model actual) {
        assertEquals(expected.weightNames(), actual.weightNames());
        for (String w : expected.weightNames()) {
            assertEquals(expected.weightType(w), actual.weightType(w), w);
            assertArrayEquals(expected.weight(w), actual.weight(w), 0f, w);
        }
    }

    @Test
    void f16Matrices_stayF16_shardedWithIndex() throws IOException {
        ModelSpec spec = Presets.byName("tiny-llama-2-7b");
        Path out = dir.resolve("f16");
        try (Model original = Model.random(spec, WeightInit.lecun(3), CPU.withMatrixType(GgmlType.F16))) {
            // 16 KiB of embedding, 25 KiB per layer, 16 KiB of output head, greedily packed into 20 000-byte shards.
            List<Path> written = SafetensorsExport.write(original, out, null, 20_000);
            assertEquals(out.resolve("model-00001-of-00005.safetensors"), written.getFirst());
            assertEquals(List.of(out.resolve("model.safetensors.index.json"), out.resolve("config.json")),
                    written.subList(written.size() - 2, written.size()));
            JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertEquals("float16", config.get("torch_dtype").asText());
            try (Model loaded = SafetensorsWeights.loadModel(out, CPU)) {
                assertSameWeights(original, loaded);
                assertArrayEquals(original.forward(TOKENS).toArray(), loaded.forward(TOKENS).toArray(), 0f);
            }
        }
    }

    @Test
    void quantizedExportsItsExactValues_andF32LoadsIntoQ8_0LikeRandomInit() {
        ModelSpec spec = Presets.byName("tiny-llama-2-7b");
        ModelOptions q8 = CPU.withMatrixType(GgmlType.Q8_0);
        Path quantized = dir.resolve("q8"), plain = dir.resolve("f32");
        try (Model original = Model.random(spec, WeightInit.lecun(5), q8)) {
            SafetensorsExport.write(original, quantized);
            try (Model loaded = SafetensorsWeights.loadModel(quantized, CPU)) {
                for (String w : original.weightNames()) {
                    assertArrayEquals(original.weight(w), loaded.weight(w), 0f, w);
                }
            }
        }
        // ggml quantizes the same F32 values whichever way they arrive: from the init, or through the file.
        try (Model f32 = Model.random(spec, WeightInit.lecun(5), CPU);
             Model direct = Model.random(spec, WeightInit.lecun(5), q8)) {
            SafetensorsExport.write(f32, plain);
            try (SafetensorsWeights w = SafetensorsWeights.open(plain).typesFromOptions();
                 Model converted = Model.create(spec, w, q8)) {
                assertSameWeights(direct, converted);
            }
        }
    }

    @Test
    void bothRopePairingsOfTheSameCheckpoint_giveTheSameLogits() {
        ModelSpec adjacent = Presets.byName("tiny-llama-2-7b");
        ModelSpec halves = adjacent.withPositional(((Positional.Rope) adjacent.positional()).withPairing(RopePairing.HALVES));
        Path out = dir.resolve("pairing");
        try (Model original = Model.random(adjacent, WeightInit.lecun(11), CPU)) {
            SafetensorsExport.write(original, out);
            try (SafetensorsWeights w = SafetensorsWeights.open(out); Model rotated = Model.create(halves, w, CPU)) {
                float[] expected = original.forward(TOKENS).toArray(), actual = rotated.forward(TOKENS).toArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4f * Math.max(1, Math.abs(expected[i])), "logit " + i);
                }
                assertFalse(Arrays.equals(original.weight("blk.0.attn_q.weight"),
                        rotated.weight("blk.0.attn_q.weight")), "q rows are stored permuted");
            }
        }
    }

    @Test
    void gpt2FileLayout_readWithJacksonAndByteBuffer() throws IOException {
        ModelSpec spec = Presets.byName("tiny-gpt2-small");
        Path out = dir.resolve("gpt2");
        try (Model original = Model.random(spec, WeightInit.lecun(2), CPU)) {
            SafetensorsExport.write(original, out);
            ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(out.resolve("model.safetensors")))
                    .order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = (int) file.getLong(0);
            assertEquals(0, headerLength % 8, "data starts 8-byte aligned");
            JsonNode header = new ObjectMapper().readTree(new String(file.array(), 8, headerLength).trim());
            assertEquals("pt", header.get("__metadata__").get("format").asText());
            assertNull(header.get("lm_head.weight"), "tied: no separate output head");
            JsonNode cAttn = header.get("transformer.h.1.attn.c_attn.weight");
            assertEquals("F32", cAttn.get("dtype").asText());
            assertEquals("[32,96]", cAttn.get("shape").toString());
            long begin = 8 + headerLength + cAttn.get("data_offsets").get(0).asLong();
            float[] k = original.weight("blk.1.attn_k.weight");
            for (int i = 0; i < 32; i++) {
                for (int o = 0; o < 32; o++) {
                    // Conv1D [in, out]: row i, column 32 + o is the key projection's (i, o).
                    assertEquals(k[o * 32 + i], file.getFloat((int) (begin + 4L * (i * 96 + 32 + o))));
                }
            }
            JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertEquals("[\"GPT2LMHeadModel\"]", config.get("architectures").toString());
            assertEquals(32, config.get("n_embd").asInt());
        }
    }

    @Test
    void aModelWithoutHfEquivalentIsNotWritten() {
        try (Model chatglm = Model.random(Presets.byName("tiny-chatglm2-6b"), WeightInit.lecun(1), CPU)) {
            var e = assertThrows(NoHfEquivalentException.class,
                    () -> SafetensorsExport.write(chatglm, dir.resolve("glm")));
            assertEquals("spec 'tiny-chatglm2-6b' has no HF config.json equivalent among llama, mistral, qwen2, qwen3, "
                    + "gemma2, gemma3_text, phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, "
                    + "deepseek_v2 and bert; "
                    + "the closest, qwen2, differs in:\n"
                    + "  - positional.fraction = 0.5: HF qwen2 rotates whole heads", e.getMessage());
            assertFalse(Files.exists(dir.resolve("glm")));
        }
    }
}
