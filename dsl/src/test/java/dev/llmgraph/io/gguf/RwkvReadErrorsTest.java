package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.llmgraph.io.gguf.GgufReadErrorsTest.readError;
import static dev.llmgraph.io.gguf.GgufReadErrorsTest.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** rwkv6 and rwkv7 files llmgraph cannot read say why, in words: a missing tensor, keys it has no equivalent for. */
class RwkvReadErrorsTest {
    @TempDir
    static Path dir;
    static Path rwkv6;
    static Path rwkv7;

    @BeforeAll
    static void writeValidFiles() {
        rwkv6 = dir.resolve("tiny-rwkv6.gguf");
        rwkv7 = dir.resolve("tiny-rwkv7.gguf");
        ModelOptions cpu = ModelOptions.cpu().withThreads(2);
        try (Model six = Model.random(RwkvParityTest.tinyRwkv6(), WeightInit.lecun(1), cpu);
             Model seven = Model.random(RwkvParityTest.tinyRwkv7(), WeightInit.lecun(1), cpu)) {
            GgufModels.write(six, rwkv6);
            GgufModels.write(seven, rwkv7);
        }
    }

    @Test
    void aMissingTimeMixTensorIsNamed() {
        Path file = variant(rwkv6, "rwkv6-no-first", keys -> { }, w -> { }, "blk.1.time_mix_first.weight");
        assertEquals(file + ": tensor 'blk.1.time_mix_first.weight' is missing; the rwkv6 model its keys describe "
                + "needs it", readError(file));
    }

    @Test
    void halvingTheStreamEverySixLayersIsRefusedInWords() {
        Path file = variant(rwkv6, "rwkv6-rescale", keys -> keys.put("rwkv6.rescale_every_n_layers",
                GgufValue.uint32(6)), w -> { });
        assertEquals(file + ": key 'rwkv6.rescale_every_n_layers' = 6: halving the residual stream every 6 layers (an "
                + "fp16 trick of RWKV's runtime), which llmgraph's RWKV does not do", readError(file));
    }

    @Test
    void aHeadSizeTheTensorsDoNotHaveIsNamed() {
        Path file = variant(rwkv6, "rwkv6-heads-128", keys -> keys.put("rwkv6.wkv.head_size", GgufValue.uint32(128)),
                w -> { });
        assertEquals(file + ": tensor 'blk.0.time_mix_first.weight' has shape [64, 2] (ggml order) but the rwkv6 "
                + "model its keys describe (dModel 128, RWKV-6(headSize=128, ffnDim=448, mixRank=32, decayRank=32), "
                + "vocabulary 300) needs [128, 1]", readError(file));
    }
}
