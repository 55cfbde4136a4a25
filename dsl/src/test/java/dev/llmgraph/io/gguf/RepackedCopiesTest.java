package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /**
     * The defaults against llama.cpp's defaults, both repacking the file's Q4_0 matrices at load, on models wide
     * enough (dModel 256) for the repacked kernels to sum in another order than the plain ones: the logits are
     * llama.cpp's bit for bit, and both differ from the plain products (so the comparison sees the repacking).
     */
    @ParameterizedTest(name = "{0}, dModel 256, Q4_0: the defaults compute what llama.cpp's repacked defaults do")
    @ValueSource(strings = {"gpt2", "llama"})
    void theDefaultsComputeWhatLlamaCppComputesWithItsRepacking(String label, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label).withDModel(256).withFfn(label.equals("gpt2")
                ? Ffn.mlp(1024, Activation.GELU_TANH) : Ffn.swiglu(256));
        Path file = dir.resolve(TinyModels.fileName(label) + "-wide-q4_0.gguf");
        ModelOptions options = CPU.withCacheType(GgmlType.F16); // llama.cpp's cache type
        try (Model model = Model.random(spec, WeightInit.lecun(5), options)) {
            GgufModels.write(model, file, GgmlType.Q4_0);
        }
        int[] prompt = TinyModels.prompt(20);
        float[] ours;
        try (Model model = GgufModels.load(file, options)) {
            assumeTrue(model.repackedCopies() > 0, "ggml repacks no Q4_0 matrix on this CPU");
            ours = model.forward(prompt).toArray();
        }
        var settings = LlamaReference.Settings.defaults().withThreads(2).withContextLength(spec.contextLength());
        float[] repacked, plain;
        try (LlamaReference llama = LlamaReference.open(file, settings.withRepack(true))) {
            repacked = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        try (LlamaReference llama = LlamaReference.open(file, settings)) {
            plain = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        assertArrayEquals(repacked, ours);
        assertTrue(LlamaCppParityTest.Difference.of(plain, repacked).maxAbs() > 0,
                "llama.cpp's repacked and plain products give the same logits: the comparison does not see repacking");
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
