package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * q, k and v that a mapped file stores as one tensor (GPT-2's attn_qkv) are multiplied as one matrix, as
 * llama.cpp does. The reference is the same file loaded with three products ({@code
 * -Dllmgraph.stackProjections=false}); the tolerance is zero, because each output row is the same dot product
 * either way. Separate tensors (LLaMA's), even back to back, keep three products, as in llama.cpp's graph; so do
 * copied matrices. Repacked ones stored as one become one repacked copy.
 */
class StackedProjectionsTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);

    static Stream<Arguments> cases() {
        return Stream.of("gpt2", "llama").flatMap(label -> Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0)
                .map(type -> Arguments.of(label, type)));
    }

    @ParameterizedTest(name = "{0}, {1}: stacked where stored as one, and the same logits, bit for bit")
    @MethodSource("cases")
    void oneProductComputesWhatThreeCompute(String label, GgmlType type, @TempDir Path dir) {
        Path file = write(label, type, dir);
        try (Model stacked = GgufModels.load(file, CPU); Model three = loadUnstacked(file, CPU)) {
            assertEquals(label.equals("gpt2") ? 2 : 0, stacked.stackedProjectionLayers(),
                    "GPT-2's two layers stacked, LLaMA's separate tensors not");
            assertEquals(0, three.stackedProjectionLayers());
            assertSameLogits(three, stacked);
        }
    }

    @ParameterizedTest(name = "{0}: copied matrices keep three products")
    @MethodSource("labels")
    void copiedMatricesAreNotStacked(String label, @TempDir Path dir) {
        Path file = write(label, GgmlType.Q4_0, dir);
        try (Model copied = GgufModels.load(file, CPU.withMapWeights(false))) {
            assertEquals(0, copied.stackedProjectionLayers());
        }
    }

    /**
     * Repacked q, k and v stored as one tensor become one repacked stack (a copy, as a repacked matrix cannot be a
     * view of the file); each output row is still the same dot product, so the logits are those of three repacked
     * products, bit for bit. LLaMA's separate tensors keep three.
     */
    @ParameterizedTest(name = "{0}, Q4_0 repacked: one repacked stack where stored as one, the same logits")
    @MethodSource("labels")
    void repackedProjectionsStoredAsOneAreOneRepackedProduct(String label, @TempDir Path dir) {
        Path file = write(label, GgmlType.Q4_0, dir);
        ModelOptions repack = CPU.withRepack(true);
        try (Model stacked = GgufModels.load(file, repack); Model three = loadUnstacked(file, repack)) {
            assertEquals(label.equals("gpt2") ? 2 : 0, stacked.stackedProjectionLayers());
            assertEquals(0, three.stackedProjectionLayers());
            assertSameLogits(three, stacked);
        }
    }

    static Stream<String> labels() {
        return Stream.of("gpt2", "llama");
    }

    /** A random tiny model of {@code label} written to a GGUF file in {@code type}. */
    private static Path write(String label, GgmlType type, Path dir) {
        Path file = dir.resolve(TinyModels.fileName(label) + "-" + type + ".gguf");
        try (Model model = Model.random(TinyModels.all().get(label), WeightInit.lecun(5), CPU)) {
            GgufModels.write(model, file, type);
        }
        return file;
    }

    /** The same logits, bit for bit, for a whole prompt and token by token. */
    private static void assertSameLogits(Model expected, Model actual) {
        int[] prompt = TinyModels.prompt(20);
        assertArrayEquals(expected.forward(prompt).toArray(), actual.forward(prompt).toArray(), "whole prompt");
        try (Session a = actual.session(32); Session b = expected.session(32)) {
            for (int token : prompt) {
                assertArrayEquals(b.feed(token), a.feed(token), "token by token");
            }
        }
    }

    private static Model loadUnstacked(Path file, ModelOptions options) {
        System.setProperty("llmgraph.stackProjections", "false");
        try {
            return GgufModels.load(file, options);
        } finally {
            System.clearProperty("llmgraph.stackProjections");
        }
    }
}
