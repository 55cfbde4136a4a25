package dev.llmgraph.reference;

import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.InvalidSpecException;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ggml forward pass (CPU, F32 weights and cache, every parameter random by {@link WeightInit#lecun})
 * against {@link ReferenceForward} over a seeded pairwise sample of the architecture axes of
 * {@link ArchitectureAxes}: norm type x block placement x FFN/activation x positional scheme x attention
 * variant x attention options x decoder family x flash x embeddings x output head x sequence mixer (softmax
 * attention, Mamba, Mamba-2, RWKV-6, RWKV-7, linear attention with each decay, a linear/softmax hybrid, a Jamba-style
 * Mamba/attention hybrid). Pairs that a mixer cannot meet are skipped by the rules of {@link SequenceMixerAxis}, and
 * the skipping is itself tested: each skipped pair is refused by the spec or changes nothing. Each case is one test
 * named by its parameters; an axis its mixer drops is left out of the name.
 */
class ReferenceForwardTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final long SAMPLE_SEED = 20250611L;
    static final int TOKENS = 12;
    /** Prefix decoders get a prefix shorter than the sequence, so both of their mask regions are used. */
    static final int PREFIX = 5;

    static List<int[]> sample() {
        return CoveringSample.pairwise(ArchitectureAxes.sizes(), ArchitectureAxes.CONSTRAINTS, SAMPLE_SEED);
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
            System.out.printf("%.2e  %s%n", logitError, label);

            // q and k of the first attention layer come before any mask (and, on layer 0, any FFN), so positional
            // schemes are checked at float32 precision, where the logits alone could hide a small angle error.
            int layer = 0;
            while (layer < spec.layers() && !(ReferenceLayers.mixer(spec, layer) instanceof Attention)) {
                layer++;
            }
            if (layer == spec.layers()) {
                return; // no softmax attention: the logits above are the check
            }
            List<String> nodes = List.of("q." + layer, "k." + layer);
            var inspection = model.inspect(tokens, nodes.toArray(String[]::new));
            var expected = reference.run(tokens, tokens.length);
            for (String node : nodes) {
                double error = Tolerances.relativeError(inspection.node(node).values(), expected.node(node));
                double tolerance = layer == 0 ? Tolerances.FLOAT32 : Tolerances.logits(spec); // after an FFN
                assertTrue(error <= tolerance, node + " differs from the reference by " + error);
            }
        }
    }

    /**
     * Gemma 3's RoPE: the sliding layers (0 and 2 of 4) rotate with their own base and unscaled, the global ones with
     * the global base and linear scaling. Logits and every layer's q against the reference; and layer 0's q differs
     * from the one every layer's RoPE would give, so the check sees the sliding base.
     */
    @Test
    void slidingLayersRotateWithTheirOwnBaseUnscaled() {
        ModelSpec spec = Transformer.causalDecoder("sliding-base").vocabSize(64).dModel(32).layers(4).contextLength(32)
                .attention(Attention.grouped(4, 2).withQkNorm(QkNorm.PER_HEAD)
                        .withSlidingWindow(SlidingWindow.withGlobalEvery(5, 2)))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES)
                        .withScaling(RopeScaling.linear(4)).withSlidingTheta(100))
                .norm(Norm.rms(1e-6), NormPlacement.SANDWICH).ffn(Ffn.geglu(64))
                .build();
        int[] tokens = new SplittableRandom(3).ints(TOKENS, 0, spec.vocabSize()).toArray();
        String[] nodes = {"q.0", "q.1", "q.2", "q.3"};
        float[] slidingQ;
        try (Model model = Model.random(spec, WeightInit.lecun(7), CPU)) {
            ReferenceForward reference = ReferenceForward.of(model);
            var expected = reference.run(tokens, tokens.length);
            double logitError = Tolerances.relativeError(model.forward(tokens, 0), expected.logits());
            assertTrue(logitError <= Tolerances.logits(spec), "logits differ from the reference by " + logitError);
            var inspection = model.inspect(tokens, nodes);
            for (String node : nodes) {
                double error = Tolerances.relativeError(inspection.node(node).values(), expected.node(node));
                assertTrue(error <= Tolerances.logits(spec), node + " differs from the reference by " + error);
            }
            slidingQ = inspection.node("q.0").values();
        }
        ModelSpec oneBase = spec.withPositional(((Positional.Rope) spec.positional()).withSlidingTheta(0));
        try (Model model = Model.random(oneBase, WeightInit.lecun(7), CPU)) {
            double change = Tolerances.relativeError(slidingQ, ReferenceForward.of(model).run(tokens, tokens.length)
                    .node("q.0"));
            assertTrue(change > 100 * Tolerances.FLOAT32, "the sliding base changes layer 0's q by only " + change);
        }
    }

    @Test
    void theSampleCoversEveryPairThatCanMeetAndEveryValueSeveralTimes() {
        List<int[]> rows = sample();
        int[] sizes = ArchitectureAxes.sizes();
        CoveringSample.Constraints rules = ArchitectureAxes.CONSTRAINTS;
        for (int[] row : rows) {
            String label = ArchitectureAxes.label(row);
            for (int a = 0; a < sizes.length; a++) {
                boolean dropped = false;
                for (int b = 0; b < sizes.length; b++) {
                    dropped |= b != a && row[b] != CoveringSample.DROPPED && rules.drops(b, row[b], a);
                }
                assertEquals(dropped, row[a] == CoveringSample.DROPPED, label + ": " + ArchitectureAxes.AXES.get(a)
                        .name() + " is dropped exactly when a value of the row drops it");
                for (int b = 0; b < sizes.length; b++) {
                    if (b != a && row[a] != CoveringSample.DROPPED && row[b] != CoveringSample.DROPPED) {
                        assertTrue(rules.compatible(a, row[a], b, row[b]), label + ": a pair the rules skip");
                    }
                }
            }
        }
        for (int a = 0; a < sizes.length; a++) {
            int[] uses = new int[sizes[a]];
            for (int[] row : rows) {
                if (row[a] != CoveringSample.DROPPED) {
                    uses[row[a]]++;
                }
            }
            for (int v = 0; v < sizes[a]; v++) {
                assertTrue(uses[v] >= 3, ArchitectureAxes.AXES.get(a).name() + "="
                        + ArchitectureAxes.AXES.get(a).choices().get(v).label() + " appears in " + uses[v] + " cases");
            }
            for (int b = a + 1; b < sizes.length; b++) {
                boolean[][] seen = new boolean[sizes[a]][sizes[b]];
                for (int[] row : rows) {
                    if (row[a] != CoveringSample.DROPPED && row[b] != CoveringSample.DROPPED) {
                        seen[row[a]][row[b]] = true;
                    }
                }
                for (int va = 0; va < sizes[a]; va++) {
                    for (int vb = 0; vb < sizes[b]; vb++) {
                        if (CoveringSample.required(rules, a, va, b, vb)) {
                            assertTrue(seen[va][vb], "no case has " + ArchitectureAxes.AXES.get(a).name() + "="
                                    + ArchitectureAxes.AXES.get(a).choices().get(va).label() + " with "
                                    + ArchitectureAxes.AXES.get(b).name() + "="
                                    + ArchitectureAxes.AXES.get(b).choices().get(vb).label());
                        }
                    }
                }
            }
        }
        int bound = SampleBound.rows(sizes, rules, sizes.length - 1);
        System.out.printf("covering sample: %d cases, at least %d needed%n", rows.size(), bound);
        assertTrue(rows.size() < bound * 1.27, rows.size() + " cases: the sample should stay near the fewest rows "
                + "any covering of the required pairs needs (" + bound + ")");
    }

    /**
     * The rules skip no valid pair: a value a rule keeps away ({@link AxisRule.Only}) makes the spec refuse the pair,
     * and a value on an axis a mixer drops ({@link AxisRule.Drops}) is refused or builds the very same spec.
     */
    @Test
    void everySkippedPairIsRefusedByTheSpecOrChangesNothing() {
        int checked = 0;
        for (ArchitectureAxes.Axis axis : ArchitectureAxes.AXES) {
            for (ArchitectureAxes.Choice choice : axis.choices()) {
                if (!choice.rules().isEmpty()) {
                    draft(choice); // the value alone builds, so a refusal below is the pair's
                }
                for (AxisRule rule : choice.rules()) {
                    for (ArchitectureAxes.Axis other : ArchitectureAxes.AXES) {
                        boolean skipped = switch (rule) {
                            case AxisRule.Only only -> only.axis().equals(other.name());
                            case AxisRule.Drops drops -> drops.axes().contains(other.name());
                        };
                        for (ArchitectureAxes.Choice value : skipped ? other.choices()
                                : List.<ArchitectureAxes.Choice>of()) {
                            String pair = choice.label() + " with " + other.name() + "=" + value.label();
                            switch (rule) {
                                case AxisRule.Only only -> {
                                    if (!only.labels().contains(value.label())) {
                                        String refusal = assertThrows(InvalidSpecException.class,
                                                () -> draft(value, choice), pair).getMessage();
                                        String field = SPEC_FIELD.get(other.name());
                                        assertTrue(refusal.contains("  - " + field + " = "), pair + " is refused "
                                                + "for another reason than its " + field + ":\n" + refusal);
                                        checked++;
                                    }
                                }
                                case AxisRule.Drops _ -> {
                                    ModelSpec with;
                                    try {
                                        with = draft(value, choice);
                                    } catch (InvalidSpecException refused) {
                                        checked++;
                                        continue;
                                    }
                                    assertEquals(draft(choice), with, pair + " changes the spec");
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked > 100, checked + " skipped pairs checked");
    }

    /** The spec field that an axis an {@link AxisRule.Only} restricts sets, as the spec's problems name it. */
    private static final java.util.Map<String, String> SPEC_FIELD = java.util.Map.of("pos", "positional", "family",
            "kind", "block", "placement");

    private static ModelSpec draft(ArchitectureAxes.Choice... choices) {
        ArchitectureAxes.Draft d = new ArchitectureAxes.Draft();
        for (ArchitectureAxes.Choice c : choices) {
            c.apply().accept(d);
        }
        return d.build("case");
    }
}
