package dev.llmgraph.io.gguf;

import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.model.Model;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
