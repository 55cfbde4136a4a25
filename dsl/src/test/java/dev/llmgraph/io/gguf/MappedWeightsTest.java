package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.Buffer;
import dev.llmgraph.ggml.FileMapping;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights used in place from the mapped GGUF ({@link ModelOptions#mapWeights()}) compute exactly what copied
 * weights compute: the reference is the same file loaded with mapping off, and the tolerance is zero (the
 * same bytes go through the same kernels). Around it: which weights are mapped (all of a file whose types
 * the model keeps; none of the repacked ones), that writes never reach the file, and that closing the model
 * unmaps it and leaves every later use a Java exception.
 */
class MappedWeightsTest {
    // Repacked copies of mapped matrices (ModelOptions.repackMapped) multiply with other kernels, which round
    // differently; RepackedCopiesTest tests them. Here the mapped weights themselves are multiplied.
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withRepackMapped(false);

    static Stream<Arguments> labelsAndTypes() {
        return TinyModels.all().keySet().stream().flatMap(label -> Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.Q4_0)
                .map(type -> Arguments.of(label, type)));
    }

    private static Path written(String label, GgmlType type, Path dir) {
        Path file = dir.resolve(TinyModels.fileName(label) + "-" + type + ".gguf");
        try (Model model = Model.random(TinyModels.all().get(label), WeightInit.lecun(11), CPU)) {
            GgufModels.write(model, file, type);
        }
        return file;
    }

    @ParameterizedTest(name = "{0}, {1} matrices: mapped logits = copied logits, bit for bit")
    @MethodSource("labelsAndTypes")
    void mappedWeightsComputeWhatCopiedWeightsCompute(String label, GgmlType type, @TempDir Path dir) {
        Path file = written(label, type, dir);
        int[] prompt = TinyModels.prompt(24);
        try (Model copied = GgufModels.load(file, CPU.withMapWeights(false));
             Model mapped = GgufModels.load(file, CPU)) {
            assertEquals(0, copied.mappedWeightBytes());
            assertTrue(mapped.mappedWeightBytes() > 0, mapped::toString);
            assertArrayEquals(copied.forward(prompt).toArray(), mapped.forward(prompt).toArray());
        }
    }

    @Test
    void everyWeightOfAFileWithSeparateProjectionsIsMapped(@TempDir Path dir) {
        Path file = written("llama", GgmlType.F16, dir);
        try (Model mapped = GgufModels.load(file, CPU)) {
            long stored = mapped.weightNames().stream().mapToLong(n -> mapped.weightTensor(n).byteSize()).sum();
            long constants = mapped.weightBytes() - mapped.mappedWeightBytes();
            assertEquals(stored, mapped.mappedWeightBytes());
            assertTrue(constants >= 0 && constants < stored / 10, "copied besides: " + constants + " bytes");
            assertTrue(mapped.toString().endsWith(String.format(java.util.Locale.ROOT, ", %.1f MiB of them mapped from the file)",
                    stored / 1048576.0)), mapped.toString());
        }
    }

    @Test
    void repackedMatricesAreCopiedAndTheRestMapped(@TempDir Path dir) {
        Path file = written("llama", GgmlType.Q4_0, dir);
        int[] prompt = TinyModels.prompt(24);
        ModelOptions repack = CPU.withRepack(true);
        try (Model copied = GgufModels.load(file, repack.withMapWeights(false));
             Model mapped = GgufModels.load(file, repack)) {
            long matrices = mapped.weightNames().stream().filter(n -> n.startsWith("blk.") && n.endsWith("_q.weight"))
                    .mapToLong(n -> mapped.weightTensor(n).byteSize()).sum();
            assertTrue(mapped.mappedWeightBytes() > 0);
            assertTrue(mapped.mappedWeightBytes() <= mapped.weightBytes() - matrices,
                    "repacked q projections must not be mapped: " + mapped);
            assertArrayEquals(copied.forward(prompt).toArray(), mapped.forward(prompt).toArray());
        }
    }

    @Test
    void writingAMappedWeightChangesTheModelButNeverTheFile(@TempDir Path dir) throws IOException {
        Path file = written("llama", GgmlType.F32, dir);
        byte[] before = Files.readAllBytes(file);
        int[] prompt = TinyModels.prompt(8);
        float[] original;
        try (Model mapped = GgufModels.load(file, CPU)) {
            original = mapped.forward(prompt).toArray();
            Tensor q = mapped.weightTensor("blk.0.attn_q.weight");
            q.setFloats(new float[(int) q.elementCount()]);
            assertFalse(Arrays.equals(original, mapped.forward(prompt).toArray()), "the write must reach the model");
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Model again = GgufModels.load(file, CPU)) {
            assertArrayEquals(original, again.forward(prompt).toArray());
        }
    }

    /** The writer renames a finished file over the old one, so the mapped bytes (the old file's) stay valid. */
    @Test
    void writingTheModelOverItsOwnFileLeavesTheMappedWeightsIntact(@TempDir Path dir) {
        Path file = written("llama", GgmlType.Q8_0, dir);
        int[] prompt = TinyModels.prompt(8);
        try (Model mapped = GgufModels.load(file, CPU)) {
            float[] before = mapped.forward(prompt).toArray();
            GgufModels.write(mapped, file);
            assertArrayEquals(before, mapped.forward(prompt).toArray());
            try (Model again = GgufModels.load(file, CPU)) {
                assertArrayEquals(before, again.forward(prompt).toArray());
            }
        }
    }

    @Test
    void closingTheModelUnmapsTheFileAndLaterUseThrows(@TempDir Path dir) {
        Path file = written("llama", GgmlType.F16, dir);
        int mappings = FileMapping.openMappings(), buffers = Buffer.openBuffers();
        Model mapped = GgufModels.load(file, CPU);
        Tensor embedding = mapped.weightTensor("token_embd.weight");
        assertEquals(mappings + 1, FileMapping.openMappings());
        mapped.close();
        assertEquals(mappings, FileMapping.openMappings());
        assertEquals(buffers, Buffer.openBuffers());
        var onModel = assertThrows(IllegalStateException.class, () -> mapped.forward(TinyModels.prompt(4)));
        assertEquals("model '" + mapped.spec().name() + "' was closed; create a new one", onModel.getMessage());
        var onTensor = assertThrows(IllegalStateException.class, embedding::toFloats);
        assertEquals("tensor 'token_embd.weight' was freed with its ggml context, which was closed (a model's weights "
                + "go when the model is closed); read its values before closing", onTensor.getMessage());
    }

    @Test
    void aSpecLoadedTwiceMapsTheFileTwiceAndEachCloseUnmapsItsOwn(@TempDir Path dir) {
        Path file = written("gpt2", GgmlType.Q4_0, dir);
        int mappings = FileMapping.openMappings();
        int[] prompt = TinyModels.prompt(12);
        try (Model first = GgufModels.load(file, CPU)) {
            float[] expected = first.forward(prompt).toArray();
            try (Model second = GgufModels.load(file, CPU)) {
                assertEquals(mappings + 2, FileMapping.openMappings());
                assertArrayEquals(expected, second.forward(prompt).toArray());
            }
            assertEquals(mappings + 1, FileMapping.openMappings());
            assertArrayEquals(expected, first.forward(prompt).toArray());
        }
        assertEquals(mappings, FileMapping.openMappings());
    }
}
