package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.LoraConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.train.TokenDataset;
import dev.llmgraph.train.Trainer;
import dev.llmgraph.train.TrainingConfig;
import dev.llmgraph.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * q, k and v that a file stores as one tensor (GPT-2's attn_qkv) are multiplied as one matrix, as
 * llama.cpp does. The reference is the same file loaded with three products ({@code
 * -Dllmgraph.stackProjections=false}); the tolerance is zero, because each output row is the same dot product
 * either way, and each bias is added to the same sums. Separate tensors (LLaMA's), even back to back, keep three
 * products on the CPU, as in llama.cpp's graph; copied into a GPU's memory they are held as one stack too, which
 * {@code -Dllmgraph.stackSeparateProjections=true} asks for here. Copied matrices stored as one are held as one;
 * repacked ones become one repacked copy.
 */
class StackedProjectionsTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);

    /** Architectures whose files store q, k and v as one tensor (with biases, without, with grouped kv heads). */
    private static final java.util.Set<String> FUSED = java.util.Set.of("gpt2", "bloom", "falcon, GQA, untied",
            "chatglm");

    static Stream<Arguments> cases() {
        return Stream.of("gpt2", "bloom", "falcon, GQA, untied", "chatglm", "llama").flatMap(label -> Stream.of(
                GgmlType.F32, GgmlType.F16, GgmlType.Q8_0).map(type -> Arguments.of(label, type)));
    }

    @ParameterizedTest(name = "{0}, {1}: stacked where stored as one, and the same logits, bit for bit")
    @MethodSource("cases")
    void oneProductComputesWhatThreeCompute(String label, GgmlType type, @TempDir Path dir) {
        Path file = write(label, type, dir);
        try (Model stacked = GgufModels.load(file, CPU); Model three = loadUnstacked(file, CPU)) {
            assertEquals(FUSED.contains(label) ? 2 : 0, stacked.stackedProjectionLayers(),
                    "both layers stacked where the file stores one tensor, LLaMA's separate tensors not");
            assertEquals(0, three.stackedProjectionLayers());
            assertSameLogits(three, stacked);
        }
    }

    /**
     * Copied into a backend buffer (here host memory, with the file not mapped; on a GPU always), q, k and v stored as
     * one tensor are held by one tensor with the three placed inside it, and multiplied as one, bit for bit as three.
     */
    @ParameterizedTest(name = "{0}, {1} copied: one product where stored as one, the same logits")
    @MethodSource("cases")
    void copiedMatricesStoredAsOneAreOneProduct(String label, GgmlType type, @TempDir Path dir) {
        Path file = write(label, type, dir);
        ModelOptions copy = CPU.withMapWeights(false);
        try (Model stacked = GgufModels.load(file, copy); Model three = loadUnstacked(file, copy)) {
            assertEquals(FUSED.contains(label) ? 2 : 0, stacked.stackedProjectionLayers());
            assertEquals(0, three.stackedProjectionLayers());
            assertSameLogits(three, stacked);
        }
    }

    /**
     * With flash attention the V cache is not transposed: the values go to it as the strided row range of the product
     * (mapped) and of the stack held in memory (copied), the same logits as three products.
     */
    @ParameterizedTest(name = "{0}, flash attention: one product where stored as one, the same logits")
    @MethodSource("fused")
    void flashAttentionTakesTheValuesFromTheProductToo(String label, @TempDir Path dir) {
        Path file = write(label, GgmlType.F16, dir);
        for (ModelOptions options : List.of(CPU, CPU.withMapWeights(false))) {
            try (Model stacked = withFlash(file, options); Model three = unstacked(() -> withFlash(file, options))) {
                assertEquals(2, stacked.stackedProjectionLayers());
                assertSameLogits(three, stacked);
            }
        }
    }

    /**
     * q, k and v stored apart, copied into one stack as on a GPU (asked for here on the CPU): one product, and one
     * addition where there are biases, gives the logits of three, bit for bit; with flash attention too.
     */
    @ParameterizedTest(name = "{0}, {1}: stored apart, copied into one stack as on a GPU, the same logits")
    @MethodSource("apart")
    void separateProjectionsCopiedIntoOneStack(String label, GgmlType type, @TempDir Path dir) {
        Path file = write(label, type, dir);
        ModelOptions copy = CPU.withMapWeights(false);
        try (Model stacked = stackingApart(() -> GgufModels.load(file, copy));
             Model three = loadUnstacked(file, copy)) {
            assertEquals(2, stacked.stackedProjectionLayers());
            assertSameLogits(three, stacked);
        }
        try (Model stacked = stackingApart(() -> withFlash(file, copy));
             Model three = unstacked(() -> withFlash(file, copy))) {
            assertEquals(2, stacked.stackedProjectionLayers());
            assertSameLogits(three, stacked);
        }
    }

    /** Architectures whose files store q, k and v apart: plain, with biases, soft-capped, whole-width QK norm. */
    static Stream<Arguments> apart() {
        return Stream.of("llama", "llama, biases, YaRN", "qwen2", "gemma2", "olmoe").flatMap(label -> Stream.of(
                GgmlType.F32, GgmlType.F16, GgmlType.Q8_0).map(type -> Arguments.of(label, type)));
    }

    /**
     * Held as one stack, q, k and v stay weights of their own: training updates them in place (its graphs multiply by
     * the parts), a LoRA adapter multiplies by them, and the stack, which shares their memory, then multiplies by what
     * was trained. The same file trained with three tensors gives the same logits, bit for bit, with and without a
     * (zero) adapter.
     */
    @Test
    void trainingAndAdaptersUseThePartsOfAStack(@TempDir Path dir) {
        Path file = write("llama", GgmlType.F32, dir);
        ModelOptions copy = CPU.withMapWeights(false).withMatrixType(GgmlType.F32);
        int[] prompt = TinyModels.prompt(20);
        try (Model stacked = stackingApart(() -> GgufModels.load(file, copy));
             Model three = loadUnstacked(file, copy)) {
            assertEquals(2, stacked.stackedProjectionLayers());
            for (Model model : List.of(stacked, three)) {
                try (Trainer trainer = Trainer.of(model, TrainingConfig.defaults().withBatch(2, 8).withSteps(3))) {
                    int[] text = IntStream.range(0, 400).map(i -> i * 7 % model.spec().vocabSize()).toArray();
                    TokenDataset[] data = TokenDataset.of(text).split(0.8);
                    trainer.train(data[0], data[1], TrainingListener.SILENT);
                }
            }
            float[] trained = stacked.forward(prompt).toArray();
            assertArrayEquals(three.forward(prompt).toArray(), trained, "after training");
            stacked.attach(LoraAdapter.create(stacked, LoraConfig.allLinear(4, 8)));
            three.attach(LoraAdapter.create(three, LoraConfig.allLinear(4, 8)));
            assertArrayEquals(three.forward(prompt).toArray(), stacked.forward(prompt).toArray(), "with an adapter");
            assertArrayEquals(trained, stacked.forward(prompt).toArray(), "a zero adapter, through the parts");
        }
    }

    @Test
    void aSettingThatIsNotAutoTrueOrFalseIsRefusedInWords(@TempDir Path dir) {
        Path file = write("llama", GgmlType.F32, dir);
        var e = assertThrows(IllegalArgumentException.class,
                () -> withSetting("llmgraph.stackSeparateProjections", "yes", () -> GgufModels.load(file, CPU)));
        assertEquals("-Dllmgraph.stackSeparateProjections=yes is not one of auto (stack q, k and v stored apart on "
                + "every backend but the CPU), true or false", e.getMessage());
    }

    static Stream<String> fused() {
        return FUSED.stream().sorted();
    }

    /** The model in {@code file} with flash attention on. */
    private static Model withFlash(Path file, ModelOptions options) {
        try (GgufFile gguf = GgufFile.open(file)) {
            ModelSpec spec = GgufModels.spec(gguf);
            return Model.create(spec.withAttention(spec.attention().withFlash(true)), GgufModels.weights(gguf),
                    options);
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

    /** The model {@code load} gives with q, k and v stored apart held as one stack, as on a GPU. */
    private static Model stackingApart(java.util.function.Supplier<Model> load) {
        return withSetting("llmgraph.stackSeparateProjections", "true", load);
    }

    private static Model loadUnstacked(Path file, ModelOptions options) {
        return unstacked(() -> GgufModels.load(file, options));
    }

    /** The model {@code load} gives with q, k and v as three products. */
    private static Model unstacked(java.util.function.Supplier<Model> load) {
        return withSetting("llmgraph.stackProjections", "false", load);
    }

    /** The model {@code load} gives while the system property {@code key} is {@code value}. */
    private static Model withSetting(String key, String value, java.util.function.Supplier<Model> load) {
        System.setProperty(key, value);
        try {
            return load.get();
        } finally {
            System.clearProperty(key);
        }
    }
}
