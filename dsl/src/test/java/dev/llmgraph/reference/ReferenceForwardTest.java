package dev.llmgraph.reference;

import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ggml forward pass (CPU, F32 weights and cache, every parameter random by {@link WeightInit#lecun})
 * against {@link ReferenceForward} over a seeded pairwise sample of the architecture axes of
 * {@link ArchitectureAxes}: norm type x block placement x FFN/activation x positional scheme x attention
 * variant x attention options x decoder family x flash x embeddings x output head. Each case is one test
 * named by its parameters.
 */
class ReferenceForwardTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final long SAMPLE_SEED = 20250611L;
    static final int TOKENS = 12;
    /** Prefix decoders get a prefix shorter than the sequence, so both of their mask regions are used. */
    static final int PREFIX = 5;

    static List<int[]> sample() {
        return CoveringSample.pairwise(ArchitectureAxes.sizes(), SAMPLE_SEED);
    }

    static Stream<Arguments> cases() {
        return sample().stream().map(row -> Arguments.of(ArchitectureAxes.label(row), row));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsAndRotatedHeadsMatchTheReference(String label, int[] row) {
        ModelSpec spec = ArchitectureAxes.spec(row);
        int[] tokens = new SplittableRandom(label.hashCode()).ints(TOKENS, 0, spec.vocabSize()).toArray();
        int prefix = spec.kind() == ArchitectureKind.PREFIX_DECODER ? PREFIX : 0;
        try (Model model = Model.random(spec, WeightInit.lecun(7), CPU)) {
            ReferenceForward reference = ReferenceForward.of(model);
            Logits actual = model.forward(tokens, prefix);
            double logitError = Tolerances.relativeError(actual, reference.run(tokens, prefix).logits());
            assertTrue(logitError <= Tolerances.logits(spec), "logits differ from the reference by " + logitError
                    + " of their scale, more than " + Tolerances.logits(spec));

            // q and k of block 0 come before any FFN or mask, so positional schemes are checked at float32
            // precision, where the logits alone could hide a small angle error.
            var inspection = model.inspect(tokens, "q.0", "k.0");
            var expected = reference.run(tokens, tokens.length);
            for (String node : List.of("q.0", "k.0")) {
                double error = Tolerances.relativeError(inspection.node(node).values(), expected.node(node));
                assertTrue(error <= Tolerances.FLOAT32, node + " differs from the reference by " + error);
            }
        }
    }

    @Test
    void theSampleCoversEveryPairOfValuesAndEveryValueSeveralTimes() {
        List<int[]> rows = sample();
        int[] sizes = ArchitectureAxes.sizes();
        for (int a = 0; a < sizes.length; a++) {
            int[] uses = new int[sizes[a]];
            for (int[] row : rows) {
                uses[row[a]]++;
            }
            for (int v = 0; v < sizes[a]; v++) {
                assertTrue(uses[v] >= 3, ArchitectureAxes.AXES.get(a).name() + "="
                        + ArchitectureAxes.AXES.get(a).choices().get(v).label() + " appears in " + uses[v] + " cases");
            }
            for (int b = a + 1; b < sizes.length; b++) {
                boolean[][] seen = new boolean[sizes[a]][sizes[b]];
                int pairs = 0;
                for (int[] row : rows) {
                    if (!seen[row[a]][row[b]]) {
                        seen[row[a]][row[b]] = true;
                        pairs++;
                    }
                }
                assertEquals(sizes[a] * sizes[b], pairs, "value pairs of " + ArchitectureAxes.AXES.get(a).name()
                        + " x " + ArchitectureAxes.AXES.get(b).name());
            }
        }
        int largest = 0;
        for (int a = 0; a < sizes.length; a++) {
            for (int b = a + 1; b < sizes.length; b++) {
                largest = Math.max(largest, sizes[a] * sizes[b]);
            }
        }
        assertTrue(rows.size() < largest * 1.27, rows.size() + " cases: the sample should stay near the largest pair "
                + "product (" + largest + ")");
    }
}
