package dev.llmgraph.io.gguf;

import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hugging Face gemma2 checkpoints, both ways: the tiny gemma2 of {@link TinyModels} (sandwich norms, soft-caps, a
 * window on every other layer, heads of 32 in a width of 64) saved as safetensors and loaded back to the bit, then
 * written as GGUF and run by llama.cpp's gemma2 graph, whose logits must equal llmgraph's within
 * {@link LlamaCppParityTest}'s 1e-4 (F32). The file's bytes are read with Jackson and ByteBuffer: Gemma's RMSNorm
 * multiplies by 1 + w, so each of the four norms of a layer and the final one hold llmgraph's gain minus one, under
 * Gemma 2's names. That is the convention llama.cpp's converter undoes when it adds one.
 */
class HfGemma2CheckpointTest {
    @Test
    void weightsRoundTripWithGainsStoredMinusOne_andLlamaCppAgrees(@TempDir Path dir) throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get("gemma2"), HfModelType.GEMMA2, 17, dir,
                (checkpoint, original) -> assertGainsStoredMinusOne(checkpoint.resolve("model.safetensors"), original));
    }

    private static void assertGainsStoredMinusOne(Path file, Model original) throws IOException {
        List<String[]> norms = List.of(new String[] {"blk.1.attn_norm.weight", "model.layers.1.input_layernorm.weight"},
                new String[] {"blk.1.attn_post_norm.weight", "model.layers.1.post_attention_layernorm.weight"},
                new String[] {"blk.1.ffn_norm.weight", "model.layers.1.pre_feedforward_layernorm.weight"},
                new String[] {"blk.1.ffn_post_norm.weight", "model.layers.1.post_feedforward_layernorm.weight"},
                new String[] {"output_norm.weight", "model.norm.weight"});
        for (String[] norm : norms) {
            float[] gain = original.weight(norm[0]), stored = HfCheckpointReferee.storedF32(file, norm[1]);
            assertEquals(gain.length, stored.length, norm[1]);
            for (int i = 0; i < gain.length; i++) {
                assertEquals(gain[i] - 1, stored[i], norm[1] + "[" + i + "]");
            }
        }
    }
}
