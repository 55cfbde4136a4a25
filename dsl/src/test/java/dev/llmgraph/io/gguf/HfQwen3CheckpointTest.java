package dev.llmgraph.io.gguf;

import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Hugging Face qwen3 checkpoints, both ways: the tiny qwen3 of {@link TinyModels} (heads of 32 in a width of 64, q
 * and k RMS-normalised per head) is saved as safetensors, its per-head norms under Qwen3's own names
 * ({@code self_attn.q_norm}, {@code k_norm}, one gain of head_dim), loaded back to the bit, then written as GGUF and
 * run by llama.cpp's qwen3 graph, whose logits must equal llmgraph's within {@link LlamaCppParityTest}'s 1e-4 (F32).
 * That checks that q and k are not permuted (qwen3 rotates halves, as HF does) and that the norms land where
 * llama.cpp's graph reads them.
 */
class HfQwen3CheckpointTest {
    @Test
    void weightsRoundTripUnderQwen3Names_andLlamaCppAgrees(@TempDir Path dir) throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get("qwen3"), HfModelType.QWEN3, 13, dir,
                (checkpoint, original) -> assertQwen3NormsInFile(checkpoint.resolve("model.safetensors"), original));
    }

    /** Each layer's q and k gains under HF's names, read from the file's bytes (lecun's gains differ). */
    private static void assertQwen3NormsInFile(Path file, Model original) throws IOException {
        for (int layer = 0; layer < 2; layer++) {
            for (String qk : new String[] {"q", "k"}) {
                String name = "model.layers." + layer + ".self_attn." + qk + "_norm.weight";
                assertArrayEquals(original.weight("blk." + layer + ".attn_" + qk + "_norm.weight"),
                        HfCheckpointReferee.storedF32(file, name), 0f, name);
            }
        }
    }
}
