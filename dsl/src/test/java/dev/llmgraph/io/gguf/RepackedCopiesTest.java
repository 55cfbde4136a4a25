package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With repacking off (the default), a quantized matrix used in place from the mapped file, which ggml can repack,
 * is multiplied through a repacked copy ({@link ModelOptions#repackMapped()}): the logits are those of the same file
 * loaded with every matrix repacked ({@code withRepack(true)}), bit for bit, since the same kernels multiply the
 * same blocks; and the weights read back as stored, bit for bit those of a load without copies.
 */
class RepackedCopiesTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);

    @ParameterizedTest(name = "{0}, Q4_0: repacked products, weights read back as stored")
    @ValueSource(strings = {"gpt2", "llama"})
    void mappedMatricesAreMultipliedThroughRepackedCopiesAndReadBackAsStored(String label, @TempDir Path dir) {
        Path file = write(label, dir);
        int[] prompt = TinyModels.prompt(20);
        try (Model copies = GgufModels.load(file, CPU); Model repacked = GgufModels.load(file, CPU.withRepack(true));
             Model plain = GgufModels.load(file, CPU.withRepackMapped(false))) {
            assertTrue(copies.repackedCopies() > 0, "the ffn and attention matrices get copies: "
                    + copies.repackedCopies());
            assertEquals(0, plain.repackedCopies(), "withRepackMapped(false): none");
            assertEquals(0, repacked.repackedCopies(), "withRepack(true) repacks the weights themselves");
            assertArrayEquals(repacked.forward(prompt).toArray(), copies.forward(prompt).toArray());
            assertArrayEquals(plain.weight("blk.0.ffn_down.weight"), copies.weight("blk.0.ffn_down.weight"));
        }
    }

    @ParameterizedTest(name = "{0}, Q4_0 copied into memory: no repacked copies")
    @ValueSource(strings = {"gpt2", "llama"})
    void copiedMatricesGetNoRepackedCopies(String label, @TempDir Path dir) {
        try (Model copied = GgufModels.load(write(label, dir), CPU.withMapWeights(false))) {
            assertEquals(0, copied.repackedCopies());
        }
    }

    /** A random tiny model of {@code label} written to a Q4_0 GGUF file. */
    private static Path write(String label, Path dir) {
        Path file = dir.resolve(TinyModels.fileName(label) + "-q4_0.gguf");
        try (Model model = Model.random(TinyModels.all().get(label), WeightInit.lecun(5), CPU)) {
            GgufModels.write(model, file, GgmlType.Q4_0);
        }
        return file;
    }
}
