package dev.llmgraph.reference;

import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.testing.Gpu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pairwise sample of {@link ReferenceForwardTest} computed on CUDA (F32 weights and cache) against the
 * independent double-precision {@link ReferenceForward}. The allowance is the CPU's for the same spec or
 * {@link Gpu#TF32_TOLERANCE}, whichever is larger: ggml-cuda's matrix products run as TF32.
 */
@Tag(Gpu.TAG)
class CudaReferenceForwardTest {
    @BeforeEach
    void needsAGpu() {
        Gpu.assumeCuda();
    }

    static Stream<Arguments> cases() {
        return ReferenceForwardTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsMatchTheReferenceOnCuda(String label, int[] row) {
        ModelSpec spec = ArchitectureAxes.spec(row);
        int[] tokens = new SplittableRandom(label.hashCode()).ints(ReferenceForwardTest.TOKENS, 0, spec.vocabSize())
                .toArray();
        int prefix = spec.kind() == ArchitectureKind.PREFIX_DECODER ? ReferenceForwardTest.PREFIX : 0;
        try (Model model = Model.random(spec, WeightInit.lecun(7), Gpu.exact())) {
            ReferenceForward reference = ReferenceForward.of(model);
            Logits actual = model.forward(tokens, prefix);
            double tolerance = Math.max(Tolerances.logits(spec), Gpu.TF32_TOLERANCE);
            double error = Tolerances.relativeError(actual, reference.run(tokens, prefix).logits());
            assertTrue(error <= tolerance, "logits on CUDA differ from the reference by " + error
                    + " of their scale, more than " + tolerance);
        }
    }
}
