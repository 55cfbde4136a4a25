package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A model written as GGUF and read back is the same model: the same spec, and bit-identical logits, because
 * the weights come back byte for byte (fused tensors split on whole rows) and run through the same graph.
 * The reference is the model before writing; the tolerance is zero.
 */
class GgufRoundTripTest {
    /** Mapped matrices multiplied as stored (not through repacked copies), as the in-memory models they equal. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withRepackMapped(false);

    static Stream<String> labels() {
        return TinyModels.all().keySet().stream();
    }

    @ParameterizedTest(name = "{0}, f32 weights")
    @MethodSource("labels")
    void writtenModelReadsBackAsTheSameSpecAndLogits(String label, @TempDir Path dir) {
        roundTrip(label, GgmlType.F32, dir);
    }

    @ParameterizedTest(name = "{0}, {1} matrices kept byte for byte")
    @MethodSource("labelsAndStoredTypes")
    void matricesReadBackInTheirStoredType(String label, GgmlType type, @TempDir Path dir) {
        roundTrip(label, type, dir);
    }

    static Stream<Arguments> labelsAndStoredTypes() {
        return labels().flatMap(label -> Stream.of(GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0)
                .map(type -> Arguments.of(label, type)));
    }

    private static void roundTrip(String label, GgmlType matrixType, Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        Path file = dir.resolve(TinyModels.fileName(label) + ".gguf");
        int[] prompt = TinyModels.prompt(24);
        try (Model model = Model.random(spec, WeightInit.lecun(7), CPU.withMatrixType(matrixType))) {
            Logits expected = model.forward(prompt);
            GgufModels.write(model, file);
            try (GgufFile gguf = GgufFile.open(file)) {
                assertEquals(TinyModels.architecture(label), gguf.getString("general.architecture"));
                assertEquals(matrixType, gguf.tensor(spec.sparse() ? "blk.1.ffn_down_exps.weight" : "blk.1.ffn_down.weight").type());
            }
            assertEquals(TinyModels.asWritten(spec), TinyModels.asWritten(GgufModels.spec(file)));
            try (Model back = GgufModels.load(file, CPU)) {
                assertArrayEquals(expected.toArray(), back.forward(prompt).toArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}: f32 model written as q8_0 = model built with q8_0 matrices")
    @MethodSource("labels")
    void quantizingWhileWritingEqualsQuantizingWhileBuilding(String label, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        Path file = dir.resolve(TinyModels.fileName(label) + "-q8_0.gguf");
        int[] prompt = TinyModels.prompt(24);
        try (Model f32 = Model.random(spec, WeightInit.lecun(3), CPU)) {
            GgufModels.write(f32, file, GgmlType.Q8_0);
        }
        try (Model built = Model.random(spec, WeightInit.lecun(3), CPU.withMatrixType(GgmlType.Q8_0));
             Model read = GgufModels.load(file, CPU)) {
            assertArrayEquals(built.forward(prompt).toArray(), read.forward(prompt).toArray());
        }
    }
}
