package dev.llmgraph.train;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.testing.Gpu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on CUDA: the tiny LLaMA of {@link TrainerTest} trained 20 steps on the GPU and on the CPU from the
 * same weights on the same batches. Every op of a step (ggml's backward ops, cross-entropy, AdamW) runs on
 * the GPU backend, which checks each one before it computes. The loss curves agree to
 * {@link Gpu#TF32_TOLERANCE} relative per step (cuBLAS multiplies in TF32), and both fall.
 */
@Tag(Gpu.TAG)
class CudaTrainingTest {
    @BeforeEach
    void needsCuda() {
        Gpu.assumeCuda();
    }

    @Test
    void aRunOnTheGpuFollowsTheSameLossCurveAsOnTheCpu() {
        TrainingConfig config = TrainerTest.CONFIG.withSteps(20);
        TokenDataset data = TrainerTest.pattern(32, 2000);
        List<Double> cpu = losses(Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(21), TrainerTest.F32), config, data);
        List<Double> gpu = losses(Model.random(TrainerTest.tinyLlama(32), WeightInit.gpt2(21), Gpu.exact()), config, data);
        for (int i = 0; i < cpu.size(); i++) {
            assertEquals(cpu.get(i), gpu.get(i), Gpu.TF32_TOLERANCE * cpu.get(i), "step " + (i + 1));
        }
        assertTrue(gpu.getLast() < 0.8 * gpu.getFirst(), "the GPU run learns: " + gpu);
    }

    private static List<Double> losses(Model model, TrainingConfig config, TokenDataset data) {
        try (model; Trainer trainer = Trainer.of(model, config)) {
            return trainer.train(data, null, TrainingListener.SILENT).steps().stream().map(TrainingStep::loss).toList();
        }
    }
}
