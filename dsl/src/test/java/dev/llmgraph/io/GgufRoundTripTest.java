package dev.llmgraph.io;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.GgufFile;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
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
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);

    static Stream<String> architectures() {
        return TinyModels.all().keySet().stream();
    }

    @ParameterizedTest(name = "{0}, f32 weights")
    @MethodSource("architectures")
    void writtenModelReadsBackAsTheSameSpecAndLogits(String architecture, @TempDir Path dir) {
        roundTrip(architecture, GgmlType.F32, dir);
    }

    @ParameterizedTest(name = "{0}, q4_0 matrices kept byte for byte")
    @MethodSource("architectures")
    void quantizedMatricesReadBackByteForByte(String architecture, @TempDir Path dir) {
        roundTrip(architecture, GgmlType.Q4_0, dir);
    }

    private static void roundTrip(String architecture, GgmlType matrixType, Path dir) {
        ModelSpec spec = TinyModels.all().get(architecture);
        Path file = dir.resolve(architecture + ".gguf");
        int[] prompt = TinyModels.prompt(24);
        try (Model model = Model.random(spec, WeightInit.lecun(7), CPU.withMatrixType(matrixType))) {
            Logits expected = model.forward(prompt);
            GgufModels.write(model, file);
            try (GgufFile gguf = GgufFile.open(file)) {
                assertEquals(architecture, gguf.getString("general.architecture"));
                assertEquals(matrixType, gguf.tensor("blk.1.ffn_down.weight").type());
            }
            assertEquals(TinyModels.withExplicitHeadDim(spec), TinyModels.withExplicitHeadDim(GgufModels.spec(file)));
            try (Model back = GgufModels.load(file, CPU)) {
                assertArrayEquals(expected.toArray(), back.forward(prompt).toArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}: f32 model written as q8_0 = model built with q8_0 matrices")
    @MethodSource("architectures")
    void quantizingWhileWritingEqualsQuantizingWhileBuilding(String architecture, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(architecture);
        Path file = dir.resolve(architecture + "-q8_0.gguf");
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
