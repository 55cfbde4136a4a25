package dev.llmgraph.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end training referee: the same tiny LLaMA-shaped model with the same initial F32 weights is
 * trained for {@link #STEPS} AdamW steps on the same batches by llmgraph's {@link Trainer} and by PyTorch
 * ({@code bench/torch/train_reference.py}), with warm-up, cosine decay, weight decay and gradient clipping
 * all active; the loss of every step must agree within {@link #LOSS_TOLERANCE} relative.
 *
 * <p>Step 1's loss checks the forward pass and loss alone; every later loss also checks the gradients,
 * the clipping, the schedule and the update of all steps before it, since a wrong update changes the
 * weights the next loss is computed with. The learning rates and the gradient norms (before clipping) are
 * compared too, so that a mismatch points at its cause. Skipped, with the reason, where {@code /usr/bin/python3}
 * has no torch.
 *
 * <p>Seen on a 2-vCPU AMD EPYC VM with torch 1.13: the worst loss difference over the 20 steps was 7.3e-7
 * (the loss falls from 4.81 to 1.63), gradient norms 1.1e-7; steps 1-4 were clipped. With weight decay
 * wrongly applied to the norm gains on the llmgraph side, the losses differed by 3.7e-5 at step 2 and
 * 9.6e-3 by step 18, and the norms by 3.9e-4 at step 2: the test sees such a mistake at once.
 */
class TorchTrainingRefereeTest {
    /** |java - torch| / |torch| per step: the target, not loosened. */
    static final double LOSS_TOLERANCE = 1e-4;
    /**
     * Gradient norms, relative. Both sum float32 gradients accumulated in different orders (ggml's kernels
     * against torch's BLAS), which gave 1.1e-7; decaying the norm gains, a much smaller mistake than a missing
     * parameter or a wrong backward, gave 3.9e-4 after one step.
     */
    static final double NORM_TOLERANCE = 1e-5;
    static final int STEPS = 20, BATCH = 8, CONTEXT = 32, SEED = 11;
    /** Below the first steps' gradient norm and above the last ones', so some steps are clipped and some not. */
    static final double CLIP = 1.0;

    @TempDir
    Path dir;

    /** vocab 64, dModel 32, 2 layers, 4 heads of 8 with 2 K/V heads, SwiGLU 64, untied, context 32. */
    private static ModelSpec tinyLlama() {
        return Presets.tiny(Presets.llama3_8b()).toBuilder().name("training-referee-llama")
                .vocabSize(64).contextLength(CONTEXT).ffn(Ffn.swiglu(64)).build();
    }

    /** Runs counting up modulo 64 by a stride of 1, 2 or 3 that changes every 40 tokens: easy to learn. */
    private static TokenDataset countingStream() {
        int[] ids = new int[4000];
        int stride = 1, id = 0;
        for (int i = 0; i < ids.length; i++) {
            if (i % 40 == 0) {
                stride = 1 + (i / 40 * 7) % 3;
            }
            id = (id + stride) % 64;
            ids[i] = id;
        }
        return TokenDataset.of(ids);
    }

    private static TrainingConfig config() {
        return TrainingConfig.defaults().withBatch(BATCH, CONTEXT).withSteps(STEPS).withSchedule(1e-2, 1e-3, 5)
                .withAdamW(0.9, 0.95, 1e-8, 0.1).withClipNorm(CLIP).withSeed(SEED);
    }

    @Test
    void twentyAdamWSteps_giveTorchsLossCurve() {
        TorchPython python = TorchPython.find();
        python.assumeAvailable();
        TrainingConfig config = config();
        TokenDataset data = countingStream();
        List<int[][]> batches = new ArrayList<>();
        int[] flat = new int[STEPS * BATCH * (CONTEXT + 1)];
        for (int step = 1; step <= STEPS; step++) {
            int[][] batch = data.trainingBatch(SEED, step, BATCH, CONTEXT);
            batches.add(batch);
            for (int s = 0; s < BATCH; s++) {
                System.arraycopy(batch[s], 0, flat, ((step - 1) * BATCH + s) * (CONTEXT + 1), CONTEXT + 1);
            }
        }
        Path checkpoint = dir.resolve("model");
        List<TrainingStep> java = new ArrayList<>();
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(SEED),
                ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32))) {
            SafetensorsExport.write(model, checkpoint);
            try (Trainer trainer = Trainer.of(model, config)) {
                for (int[][] batch : batches) {
                    java.add(trainer.step(batch));
                }
            }
        }
        JsonNode torch = python.runReference(dir, List.of("--model", checkpoint.toString(),
                "--batches", TorchPython.writeBatches(dir.resolve("batches.bin"), flat).toString(),
                "--steps", String.valueOf(STEPS), "--batch", String.valueOf(BATCH), "--context", String.valueOf(CONTEXT),
                "--lr", "1e-2", "--min-lr", "1e-3", "--warmup", "5", "--beta1", "0.9", "--beta2", "0.95",
                "--eps", "1e-8", "--weight-decay", "0.1", "--clip", String.valueOf(CLIP), "--threads", "1"), 300);

        double worstLoss = 0, worstNorm = 0;
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "training referee, llmgraph vs torch %s%n%4s %12s %12s %10s %10s %10s %10s %9s%n",
                torch.get("torch").asText(), "step", "java loss", "torch loss", "rel diff", "lr", "java norm",
                "torch norm", "rel diff"));
        for (int i = 0; i < STEPS; i++) {
            TrainingStep step = java.get(i);
            double loss = torch.get("losses").get(i).asDouble();
            double norm = torch.get("grad_norms").get(i).asDouble();
            double lossDiff = Math.abs(step.loss() - loss) / Math.abs(loss);
            double normDiff = Math.abs(step.gradientNorm() - norm) / norm;
            worstLoss = Math.max(worstLoss, lossDiff);
            worstNorm = Math.max(worstNorm, normDiff);
            table.append(String.format(Locale.ROOT, "%4d %12.7f %12.7f %10.2e %10.3e %10.5f %10.5f %9.2e%n",
                    i + 1, step.loss(), loss, lossDiff, step.learningRate(), step.gradientNorm(), norm, normDiff));
        }
        table.append(String.format(Locale.ROOT, "worst relative difference: loss %.2e, gradient norm %.2e%n",
                worstLoss, worstNorm));
        System.out.print(table);

        for (int i = 0; i < STEPS; i++) {
            assertEquals(torch.get("learning_rates").get(i).asDouble(), java.get(i).learningRate(), 1e-12,
                    "learning rate of step " + (i + 1));
        }
        assertTrue(java.stream().anyMatch(s -> s.gradientNorm() > CLIP)
                        && java.stream().anyMatch(s -> s.gradientNorm() < CLIP),
                "clip " + CLIP + " should clip some steps and leave others; adjust it to the norms in\n" + table);
        assertTrue(java.getLast().loss() < java.getFirst().loss() - 1,
                "the loss should fall by more than 1 nat on this pattern, so that the comparison covers learning:\n"
                        + table);
        assertTrue(worstLoss <= LOSS_TOLERANCE, "losses differ by more than " + LOSS_TOLERANCE + ":\n" + table);
        assertTrue(worstNorm <= NORM_TOLERANCE, "gradient norms differ by more than " + NORM_TOLERANCE + ":\n" + table);
    }
}
