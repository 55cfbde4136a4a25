package dev.llmgraph.train;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Gradients;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.LoraConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.TrainingGraph;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training a LoRA adapter alone with the Trainer: the base frozen (no gradient built for it), A and B learning. */
class LoraTrainingTest {
    static final TrainingConfig CONFIG = TrainingConfig.defaults().withBatch(4, 16).withSteps(60)
            .withSchedule(2e-2, 2e-3, 3);

    @Test
    void ggmlBuildsNoGradientForTheFrozenBase() {
        try (Model model = Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(1), TrainerTest.F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(4, 8, "attn_[qv]", "ffn_down"))) {
            model.attach(adapter);
            // trained whole first, ggml builds the base's gradients (so the check below can fail), and marks them
            try (TrainingGraph whole = TrainingGraph.build(model, 2, 16, 0, name -> true, true)) {
                assertTrue(whole.gradients().flowsTo(model.weightTensor("blk.0.attn_q.weight")));
            }
            try (TrainingGraph graph = TrainingGraph.build(model, 2, 16, 0, LoraAdapter::isAdapterTensor, true)) {
                assertEquals(adapter.tensors().keySet(), graph.parameters().keySet());
                Gradients gradients = graph.gradients();
                for (String name : model.weightNames()) {
                    assertFalse(gradients.flowsTo(model.weightTensor(name)), "a gradient for the frozen " + name);
                }
                adapter.tensors().forEach((name, t) -> assertTrue(gradients.flowsTo(t), "no gradient for " + name));
            }
        }
    }

    @Test
    void theTrainerTrainsOnlyTheAdapterAndTheLossFalls() {
        TokenDataset data = TrainerTest.pattern(32, 3000);
        try (Model model = Model.random(TrainerTest.tinyLlama(32), WeightInit.lecun(2), TrainerTest.F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.allLinear(8, 16))) {
            Map<String, float[]> before = new HashMap<>();
            model.weightNames().forEach(name -> before.put(name, model.weight(name)));
            float[] a = adapter.a("blk.1.ffn_up.weight").toFloats();
            model.attach(adapter);
            try (Trainer trainer = Trainer.of(model, CONFIG, LoraAdapter::isAdapterTensor)) {
                List<TrainingStep> steps = trainer.train(data, null, TrainingListener.SILENT).steps();
                double first = steps.getFirst().loss(), last = steps.getLast().loss();
                System.out.printf("LoRA alone: loss %.3f -> %.3f in %d steps%n", first, last, steps.size());
                // Measured: 3.96 -> 0.83 in 60 steps (chance is ln 32 = 3.47), with only the adapters learning.
                assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
            }
            model.weightNames().forEach(name -> assertArrayEquals(before.get(name), model.weight(name),
                    "the frozen " + name + " changed"));
            float[] b = adapter.b("blk.1.ffn_up.weight").toFloats();
            assertTrue(java.util.Arrays.stream(toDoubles(b)).anyMatch(v -> v != 0), "B learned");
            assertFalse(java.util.Arrays.equals(a, adapter.a("blk.1.ffn_up.weight").toFloats()), "A learned");
        }
    }

    @Test
    void anAdapterOnANonF32BaseIsRefusedForTraining() {
        ModelOptions q8 = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.Q8_0);
        try (Model model = Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(3), q8);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(4, 8, "attn_q"))) {
            model.attach(adapter);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.of(model, CONFIG, LoraAdapter::isAdapterTensor));
            assertEquals("weight 'blk.0.attn_q.weight' is stored as q8_0: training a LoRA adapter sends gradients back "
                    + "through the frozen base weights, which ggml does only for f32 weights; create the model with "
                    + "ModelOptions.cpu().withMatrixType(GgmlType.F32)", e.getMessage());
        }
    }

    @Test
    void trainingAnAdapterThatIsNotAttachedIsRefusedInWords() {
        try (Model model = Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(4), TrainerTest.F32)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.of(model, CONFIG, LoraAdapter::isAdapterTensor));
            assertEquals("none of the weights of tiny-llama is chosen for training; to train a LoRA adapter, attach "
                    + "it first: model.attach(LoraAdapter.create(model, config))", e.getMessage());
        }
    }

    @Test
    void aTrainerWhoseAdapterWasDetachedStopsInWords() {
        try (Model model = Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(5), TrainerTest.F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(2, 4, "attn_v"))) {
            model.attach(adapter);
            try (Trainer trainer = Trainer.of(model, CONFIG, LoraAdapter::isAdapterTensor)) {
                model.detach();
                int[][] batch = TrainerTest.pattern(32, 200).trainingBatch(1, 1, 4, 16);
                var e = assertThrows(IllegalStateException.class, () -> trainer.step(batch));
                assertEquals("this training graph was built with a LoRA adapter that is no longer attached; build a "
                        + "new one (a new Trainer) for the model as it is", e.getMessage());
            }
        }
    }

    @Test
    void aCheckpointOfAnAdapterTrainerPointsToTheAdapterFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (Model model = Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(6), TrainerTest.F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(2, 4, "attn_q"))) {
            model.attach(adapter);
            try (Trainer trainer = Trainer.of(model, CONFIG, LoraAdapter::isAdapterTensor)) {
                var e = assertThrows(IllegalArgumentException.class,
                        () -> Checkpoint.save(trainer, dir.resolve("run.gguf")));
                assertEquals("this trainer trains a LoRA adapter, and a checkpoint holds a model's own weights; save "
                        + "the adapter with GgufAdapters.write(adapter, path)", e.getMessage());
            }
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
