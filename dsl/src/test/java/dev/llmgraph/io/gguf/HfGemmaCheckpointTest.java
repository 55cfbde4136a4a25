package dev.llmgraph.io.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hugging Face gemma2 and gemma3_text checkpoints, both ways: the tiny gemma2 and gemma3 of {@link TinyModels}
 * (sandwich norms, a window on every other layer, heads of 32 in a width of 64; gemma2 soft-capped, gemma3 with q and
 * k normed per head and a RoPE base of the sliding layers' own) saved as safetensors and loaded back to the bit, then
 * written as GGUF and run by llama.cpp's gemma2 or gemma3 graph, whose logits must equal llmgraph's within
 * {@link LlamaCppParityTest}'s 1e-4 (F32). The file's bytes are read with Jackson and ByteBuffer: Gemma's RMSNorm
 * multiplies by 1 + w, so each of the four norms of a layer, the final one and Gemma 3's q and k norms hold
 * llmgraph's gain minus one, under Gemma's names. That is the convention llama.cpp's converter undoes when it adds
 * one.
 */
class HfGemmaCheckpointTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"gemma2, GEMMA2", "gemma3, GEMMA3"})
    void weightsRoundTripWithGainsStoredMinusOne_andLlamaCppAgrees(String label, HfModelType type, @TempDir Path dir)
            throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get(label), type, 17, dir,
                (checkpoint, original) -> assertGainsStoredMinusOne(checkpoint.resolve("model.safetensors"), original,
                        type == HfModelType.GEMMA3));
    }

    /**
     * Gemma 3's image-and-text checkpoint (Gemma3ForConditionalGeneration) as llmgraph reads it: its text model. The
     * tiny gemma3's checkpoint is rewritten as transformers saves that class (the text config inside
     * {@code text_config}, the text model's tensors under {@code language_model.model.} before transformers 4.52 and
     * {@code model.language_model.} after, beside a vision tower and a projector), and must load with every weight equal
     * to the bit.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"language_model.model., language_model.lm_head.", "model.language_model., lm_head."})
    void anImageAndTextCheckpointReadsAsItsTextModel(String modelPrefix, String headPrefix, @TempDir Path dir)
            throws IOException {
        ModelSpec spec = TinyModels.all().get("gemma3");
        Path text = dir.resolve("text"), both = dir.resolve("image-and-text");
        try (Model original = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            SafetensorsExport.write(original, text);
            Files.createDirectories(both);
            ObjectNode outer = HfConfig.JSON.createObjectNode();
            outer.putArray("architectures").add("Gemma3ForConditionalGeneration");
            outer.put("model_type", "gemma3");
            outer.set("text_config", HfConfig.JSON.readTree(text.resolve("config.json").toFile()));
            outer.putObject("vision_config").put("model_type", "siglip_vision_model").put("hidden_size", 8);
            Files.writeString(both.resolve("config.json"), outer.toString());
            renamed(text.resolve("model.safetensors"), both.resolve("model.safetensors"), modelPrefix, headPrefix);

            assertEquals(HfModelType.GEMMA3, HfConfig.modelType(both));
            assertEquals(spec.withName("gemma3_text"), HfConfig.read(both).withName("gemma3_text"));
            try (Model loaded = SafetensorsWeights.loadModel(both, ModelOptions.cpu().withThreads(2))) {
                for (String w : original.weightNames()) {
                    assertArrayEquals(original.weight(w), loaded.weight(w), 0f, w);
                }
            }
        }
    }

    /**
     * Copies the safetensors {@code from} to {@code to} with {@code model.} and {@code lm_head.} renamed to the given
     * prefixes, and a vision tower's and a projector's tensor added; the data stays where it was.
     */
    private static void renamed(Path from, Path to, String modelPrefix, String headPrefix) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(from)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bytes.getLong(0);
        JsonNode header = HfConfig.JSON.readTree(new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8));
        ObjectNode out = HfConfig.JSON.createObjectNode();
        long end = 0;
        for (var e : header.properties()) {
            String name = e.getKey();
            if (e.getValue().has("data_offsets")) {
                end = Math.max(end, e.getValue().get("data_offsets").get(1).asLong());
            }
            out.set(name.startsWith("model.") ? modelPrefix + name.substring("model.".length())
                    : name.startsWith("lm_head.") ? headPrefix + name.substring("lm_head.".length()) : name, e.getValue());
        }
        for (String extra : List.of("vision_tower.vision_model.post_layernorm.weight",
                "multi_modal_projector.mm_soft_emb_norm.weight")) {
            ObjectNode tensor = out.putObject(extra).put("dtype", "F32");
            tensor.putArray("shape").add(4);
            tensor.putArray("data_offsets").add(end).add(end + 16);
            end += 16;
        }
        byte[] newHeader = out.toString().getBytes(StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(bytes.array(), 8 + headerLength, bytes.capacity());
        ByteBuffer file = ByteBuffer.allocate(8 + newHeader.length + data.length + 32).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(newHeader.length).put(newHeader).put(data);
        Files.write(to, file.array());
    }

    private static void assertGainsStoredMinusOne(Path file, Model original, boolean qkNorms) throws IOException {
        List<String[]> norms = new ArrayList<>(List.of(
                new String[] {"blk.1.attn_norm.weight", "model.layers.1.input_layernorm.weight"},
                new String[] {"blk.1.attn_post_norm.weight", "model.layers.1.post_attention_layernorm.weight"},
                new String[] {"blk.1.ffn_norm.weight", "model.layers.1.pre_feedforward_layernorm.weight"},
                new String[] {"blk.1.ffn_post_norm.weight", "model.layers.1.post_feedforward_layernorm.weight"},
                new String[] {"output_norm.weight", "model.norm.weight"}));
        if (qkNorms) {
            norms.add(new String[] {"blk.0.attn_q_norm.weight", "model.layers.0.self_attn.q_norm.weight"});
            norms.add(new String[] {"blk.0.attn_k_norm.weight", "model.layers.0.self_attn.k_norm.weight"});
        }
        for (String[] norm : norms) {
            float[] gain = original.weight(norm[0]), stored = HfCheckpointReferee.storedF32(file, norm[1]);
            assertEquals(gain.length, stored.length, norm[1]);
            for (int i = 0; i < gain.length; i++) {
                assertEquals(gain[i] - 1, stored[i], norm[1] + "[" + i + "]");
            }
        }
    }
}
