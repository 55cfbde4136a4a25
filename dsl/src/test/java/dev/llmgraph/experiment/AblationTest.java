package dev.llmgraph.experiment;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.train.TokenDataset;
import dev.llmgraph.train.Trainer;
import dev.llmgraph.train.TrainingConfig;
import dev.llmgraph.train.TrainingListener;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ablations: the grid, counting measures against the formulas, refused combinations, logit differences, stops. */
class AblationTest {
    /** dModel 32, 2 layers, context 128, LayerNorm with bias, learned positions. */
    private static final ModelSpec BASE = Presets.byName("tiny-gpt2-small");

    @Test
    void everyCombinationInAxisOrderWithParametersAsTheFormulasSay() {
        AblationTable t = Ablation.of(BASE)
                .vary(Axis.placement(NormPlacement.PRE, NormPlacement.SANDWICH))
                .vary(Axis.positional(Positional.learned(), Positional.alibi()))
                .measure(Measure.parameters(), Measure.kvCacheBytes(1024))
                .run();
        assertTrue(t.complete());
        List<List<String>> labels = t.rows().stream().map(AblationTable.Row::labels).toList();
        assertEquals(List.of(List.of("PRE", "learned absolute"), List.of("PRE", "ALiBi(max bias 8.0)"),
                List.of("SANDWICH", "learned absolute"), List.of("SANDWICH", "ALiBi(max bias 8.0)")), labels);
        long base = (long) t.rows().get(0).values().get(0);
        long positions = 128L * 32;              // a learned position table: context x dModel
        long sandwichNorms = 2L * 2 * (32 + 32); // two extra LayerNorms (gain and bias) per layer, 2 layers
        assertEquals(base - positions, t.rows().get(1).values().get(0));
        assertEquals(base + sandwichNorms, t.rows().get(2).values().get(0));
        assertEquals(base + sandwichNorms - positions, t.rows().get(3).values().get(0));
        long kv = 2L * 2 * 1024 * 32 * 2;        // K and V, 2 layers, 1024 tokens, 32 features, 2 bytes (F16)
        t.rows().forEach(r -> assertEquals(kv, r.values().get(1)));
        assertEquals("placement,positional,parameters,KV bytes @1024,problem",
                t.csv().lines().findFirst().orElseThrow());
    }

    @Test
    void aRefusedCombinationIsARowWithTheSpecsOwnWords() {
        AblationTable t = Ablation.of(BASE)
                .vary(Axis.attention(Attention.grouped(4, 2), Attention.grouped(4, 3)))
                .measure(Measure.parameters())
                .run();
        assertEquals(2, t.rows().size());
        assertNull(t.rows().get(0).problem());
        var refused = assertThrows(IllegalArgumentException.class, () -> BASE.withAttention(Attention.grouped(4, 3)));
        assertEquals(refused.getMessage(), t.rows().get(1).problem());
        assertEquals(List.of(), t.rows().get(1).values());
        assertTrue(t.toString().contains("refused: spec 'tiny-gpt2-small' has 1 problem:"), t.toString());
    }

    @Test
    void theLogitDifferenceIsZeroForTheBaseAndShowsAChange() {
        AblationTable t = Ablation.of(BASE)
                .vary(Axis.placement(NormPlacement.PRE, NormPlacement.POST))
                .measure(Measure.logitDifference(1, 2, 3, 4))
                .run();
        assertEquals(0.0, (double) t.rows().get(0).values().get(0));
        assertTrue((double) t.rows().get(1).values().get(0) > 1e-3, t.toString());
    }

    @Test
    void aStopKeepsTheRowsMeasured() {
        Thread.currentThread().interrupt();
        try {
            AblationTable t = Ablation.of(BASE).vary(Axis.layers(1, 2, 3)).measure(Measure.parameters()).run();
            assertFalse(t.complete());
            assertEquals(0, t.rows().size());
            assertTrue(t.toString().startsWith("ablation of tiny-gpt2-small (stopped after 0 of 3 combinations)"),
                    t.toString());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void badSetupsAreNamed() {
        var twice = assertThrows(IllegalArgumentException.class,
                () -> Ablation.of(BASE).vary(Axis.layers(1)).vary(Axis.layers(2)));
        assertEquals("the axis 'layers' is already varied; give all its values in one Axis.layers(...)",
                twice.getMessage());
        var nothing = assertThrows(IllegalArgumentException.class, () -> Ablation.of(BASE).vary(Axis.layers(1)).run());
        assertEquals("nothing to measure; add columns with measure(Measure.parameters(), ...)", nothing.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, Axis::layers);
        assertEquals("the axis 'layers' has no values; give at least one", empty.getMessage());
        assertEquals("the axis 'layers' holds 2 twice; each value is one row of the table, so give it once",
                assertThrows(IllegalArgumentException.class, () -> Axis.layers(2, 4, 2)).getMessage());
        assertEquals("value 1 of the axis 'layers' is null; give the settings to try, e.g. Axis.layers(2, 4, 8)",
                assertThrows(IllegalArgumentException.class, () -> Axis.layers(2, null)).getMessage());
        assertEquals("decodeSpeed: tokens = 0 must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> Measure.decodeSpeed(0)).getMessage());
        assertEquals("prefillSpeed: tokens = -2 must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> Measure.prefillSpeed(-2)).getMessage());
        assertEquals("kvCacheBytes: context = -1 must be at least 0",
                assertThrows(IllegalArgumentException.class, () -> Measure.kvCacheBytes(-1)).getMessage());
        assertEquals("flopsPerToken: context = -1 must be at least 0",
                assertThrows(IllegalArgumentException.class, () -> Measure.flopsPerToken(-1)).getMessage());
        assertEquals("logitDifference needs the prompt's token ids, e.g. Measure.logitDifference(1, 2, 3, 4)",
                assertThrows(IllegalArgumentException.class, Measure::logitDifference).getMessage());
    }

    @Test
    void aTimingLongerThanTheContextIsARowWithWordsNotASessionsRefusal() {
        AblationTable t = Ablation.of(BASE).vary(Axis.layers(1)).measure(Measure.decodeSpeed(125)).run();
        assertEquals("decodeSpeed(125) decodes 125 tokens after a 4-token prompt, 129 positions, more than "
                + "tiny-gpt2-small's context length of 128; time fewer tokens or raise contextLength",
                t.rows().get(0).problem());
        t = Ablation.of(BASE).vary(Axis.layers(1)).measure(Measure.prefillSpeed(129)).run();
        assertEquals("prefillSpeed(129) feeds a prompt of 129 tokens, more than tiny-gpt2-small's context length of "
                + "128; time fewer tokens or raise contextLength", t.rows().get(0).problem());
        t = Ablation.of(BASE).vary(Axis.layers(1)).measure(Measure.decodeSpeed(124), Measure.prefillSpeed(128)).run();
        assertNull(t.rows().get(0).problem(), "a timing that fills the context exactly runs");
    }

    @Test
    void customMeasuresCountFromTheSpecOrRunTheModelWithTheChosenWeights() {
        int[] prompt = {1, 2, 3};
        AblationTable t = Ablation.of(BASE)
                .vary(Axis.layers(1, 2))
                .weights(WeightInit.gpt2(7))
                .measure(Measure.counted("layers", ModelSpec::layers),
                         Measure.measured("rms of l_out.0", m -> m.inspect(prompt, "l_out.0").node("l_out.0").rms()),
                         Measure.measured("rms per block", m -> new double[] {1.5, 2.5}))
                .run();
        assertEquals(List.of(1, 2), t.column("layers"));
        for (int layers = 1; layers <= 2; layers++) {
            // the same weights built outside the ablation: Model.random(spec, seed) draws WeightInit.gpt2(seed)
            try (Model model = Model.random(BASE.withLayers(layers), 7)) {
                assertEquals(model.inspect(prompt, "l_out.0").node("l_out.0").rms(),
                        t.column("rms of l_out.0").get(layers - 1));
            }
        }
        assertTrue(t.toString().contains("2 values: 1.50 ... 2.50"), t.toString());
        assertTrue(t.csv().contains(",1.5 2.5,"), t.csv());
        var unknown = assertThrows(IllegalArgumentException.class, () -> t.column("loss"));
        assertEquals("no measure named 'loss' in this table; its measures are [layers, rms of l_out.0, rms per block]",
                unknown.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> Ablation.of(BASE).weights(null));
        assertEquals("weights(null): give a WeightInit, e.g. WeightInit.gpt2(1)", none.getMessage());
    }

    @Test
    void theLossAfterTrainingIsTheTrainersOwnAndComesAfterTheOtherMeasures() {
        ModelSpec spec = Transformer.causalDecoder("tiny-llama").vocabSize(32).dModel(32).layers(2).contextLength(32)
                .attention(Attention.grouped(4, 2)).positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(64)).build();
        int[] ids = new int[2000];
        for (int i = 1; i < ids.length; i++) {
            ids[i] = (ids[i - 1] + 1 + (i / 50) % 3) % 32;
        }
        TokenDataset[] data = TokenDataset.of(ids).split(0.9);
        TrainingConfig config = TrainingConfig.defaults().withBatch(4, 16).withSteps(8).withSchedule(1e-2, 1e-3, 2)
                .withEvaluation(0, 2);
        ModelOptions options = ModelOptions.cpu().withThreads(1);
        int[] prompt = {1, 2, 3};
        AblationTable t = Ablation.of(spec).options(options)
                .vary(Axis.placement(NormPlacement.PRE, NormPlacement.POST))
                .measure(Measure.trainedLoss(data[0], data[1], config), Measure.logitDifference(prompt))
                .run();
        assertEquals("held-out loss after 8 steps", Measure.trainedLoss(data[0], data[1], config).name());
        assertEquals(0.0, (double) t.rows().get(0).values().get(1), "the base's logits, read before training");
        for (int row = 0; row < 2; row++) {
            ModelSpec s = spec.withPlacement(row == 0 ? NormPlacement.PRE : NormPlacement.POST);
            try (Model model = Model.random(s, WeightInit.lecun(1), options);
                 Trainer trainer = Trainer.of(model, config)) {
                double byHand = trainer.train(data[0], data[1], TrainingListener.SILENT).evaluations().getLast().loss();
                assertEquals(byHand, (double) t.rows().get(row).values().get(0), t.toString());
                assertTrue(byHand < Math.log(32), "below chance after 8 steps: " + byHand);
            }
        }
    }
}
