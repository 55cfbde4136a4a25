package dev.llmgraph.io.gguf;

import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hugging Face phi and phi3 checkpoints, both ways: the tiny phi2 and phi3 of {@link TinyModels} are saved as
 * safetensors, loaded back to the bit, then written as GGUF and run by llama.cpp's phi2 or phi3 graph, whose logits
 * must equal llmgraph's within {@link LlamaCppParityTest}'s 1e-4 (F32). The file's bytes show each format's own
 * layout: phi keeps its logits' bias in {@code lm_head.bias} and its output projection in {@code self_attn.dense};
 * phi3's {@code self_attn.qkv_proj} holds q's rows, then k's, then v's (4 query heads over 2 K/V heads), and
 * {@code mlp.gate_up_proj} the gate's rows, then up's, which is how Phi3Attention and Phi3MLP split them.
 */
class HfPhiCheckpointTest {
    @Test
    void phiRoundTripsWithItsOutputBias_andLlamaCppAgrees(@TempDir Path dir) throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get("phi2"), HfModelType.PHI, 23, dir,
                (checkpoint, original) -> {
                    Path file = checkpoint.resolve("model.safetensors");
                    assertArrayEquals(original.weight("output.bias"), HfCheckpointReferee.storedF32(file,
                            "lm_head.bias"), 0f);
                    assertArrayEquals(original.weight("blk.1.attn_output.bias"), HfCheckpointReferee.storedF32(file,
                            "model.layers.1.self_attn.dense.bias"), 0f);
                });
    }

    @Test
    void fusedTensorsRoundTripInPhi3sOrder_andLlamaCppAgrees(@TempDir Path dir) throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get("phi3"), HfModelType.PHI3, 19, dir,
                (checkpoint, original) -> assertFusedInOrder(checkpoint.resolve("model.safetensors"), original));
    }

    /**
     * LongRoPE through config.json: rope_scaling of type longrope with both sets, original_max_position_embeddings
     * beside it; the short case's attention factor (1.19, not the 1 that its contexts give) as attention_factor; the
     * long case's partial rotation (partial_rotary_factor 0.75) and tied embeddings, as Phi-4-mini's.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"phi3, LongRoPE short", "phi3, LongRoPE long"})
    void longRopeRoundTripsThroughConfigJson_andLlamaCppAgrees(String label, @TempDir Path dir) throws IOException {
        HfCheckpointReferee.roundTripThenLlamaCpp(TinyModels.all().get(label), HfModelType.PHI3, 29, dir,
                (checkpoint, original) -> assertFusedInOrder(checkpoint.resolve("model.safetensors"), original));
    }

    private static void assertFusedInOrder(Path file, Model original) throws IOException {
        for (int layer = 0; layer < 2; layer++) {
            String b = "blk." + layer + ".", hf = "model.layers." + layer + ".";
            assertConcatenation(HfCheckpointReferee.storedF32(file, hf + "self_attn.qkv_proj.weight"),
                    original.weight(b + "attn_q.weight"), original.weight(b + "attn_k.weight"),
                    original.weight(b + "attn_v.weight"));
            assertConcatenation(HfCheckpointReferee.storedF32(file, hf + "mlp.gate_up_proj.weight"),
                    original.weight(b + "ffn_gate.weight"), original.weight(b + "ffn_up.weight"));
        }
    }

    private static void assertConcatenation(float[] stored, float[]... parts) {
        int at = 0;
        for (float[] part : parts) {
            assertArrayEquals(part, Arrays.copyOfRange(stored, at, at + part.length), 0f);
            at += part.length;
        }
        assertEquals(stored.length, at);
    }
}
