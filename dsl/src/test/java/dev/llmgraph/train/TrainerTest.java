package dev.llmgraph.train;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.TrainingGraph;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Trainer on a tiny LLaMA: it learns, it stops at step boundaries, it resumes exactly, bad input gets words. */
class TrainerTest {
    static final ModelOptions F32 = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32);
    static final TrainingConfig CONFIG = TrainingConfig.defaults().withBatch(4, 16).withSteps(40)
            .withSchedule(1e-2, 1e-3, 5).withEvaluation(20, 2);

    static ModelSpec tinyLlama(int vocab) {
        return Transformer.causalDecoder("tiny-llama").vocabSize(vocab).dModel(32).layers(2).contextLength(32)
                .attention(Attention.grouped(4, 2)).positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(64)).build();
    }

    /** Counting up by a stride that changes every 50 ids: predictable from the last two ids. */
    static TokenDataset pattern(int vocab, int length) {
        int[] ids = new int[length];
        for (int i = 1; i < length; i++) {
            ids[i] = (ids[i - 1] + 1 + (i / 50) % 3) % vocab;
        }
        return TokenDataset.of(ids);
    }

    @Test
    void theLossFallsWellBelowChanceOnALearnablePattern() {
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(1), F32);
             Trainer trainer = Trainer.of(model, CONFIG)) {
            TokenDataset[] data = pattern(32, 4000).split(0.9);
            TrainingRun run = trainer.train(data[0], data[1], TrainingListener.SILENT);
            assertEquals(40, run.steps().size());
            assertEquals(List.of(20, 40), run.evaluations().stream().map(TrainingRun.Evaluation::step).toList());
            double chance = Math.log(32);
            assertTrue(run.steps().getFirst().loss() > 0.9 * chance, "starts near chance: " + run.steps().getFirst());
            // Measured: 1.04 after 40 steps (chance is 3.47; the pattern's own entropy is near 0).
            assertTrue(run.evaluations().getLast().loss() < 1.5, "held-out loss after 40 steps: " + run.evaluations());
            // The trained weights are the model's: its inference lowering now predicts the pattern too.
            int[] prompt = java.util.Arrays.copyOf(data[1].trainingBatch(9, 1, 1, 16)[0], 16);
            var logits = model.forward(prompt);
            int predicted = logits.argmax(15);
            assertTrue(predicted == (prompt[15] + 1) % 32 || predicted == (prompt[15] + 2) % 32
                    || predicted == (prompt[15] + 3) % 32, "predicted " + predicted + " after " + prompt[15]);
        }
    }

    @Test
    void withoutClippingTheStepStillReportsItsGradientNorm() {
        // clipNorm 0 leaves the norm out of every update; it must still be computed for the step's report.
        // Step 1 reads the same weights and batch in both runs, so its norm (before any clipping) is the same.
        TokenDataset data = pattern(32, 2000);
        double[] norms = new double[2];
        double[] clips = {0, 1.0};
        for (int i = 0; i < 2; i++) {
            try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(1), F32);
                 Trainer trainer = Trainer.of(model, CONFIG.withSteps(1).withClipNorm(clips[i]))) {
                norms[i] = trainer.train(data, null, TrainingListener.SILENT).steps().getFirst().gradientNorm();
            }
        }
        assertTrue(norms[1] > 0 && Double.isFinite(norms[1]), "clipped run's norm: " + norms[1]);
        assertEquals(norms[1], norms[0], 1e-6 * norms[1], "unclipped and clipped step-1 gradient norms");
    }

    @Test
    void aStopRequestEndsTheRunAfterAWholeStepAndTrainingResumesFromThere() {
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(2), F32);
             Trainer trainer = Trainer.of(model, CONFIG.withSteps(12))) {
            TokenDataset data = pattern(32, 2000);
            TrainingRun first = trainer.train(data, null, new TrainingListener() {
                @Override
                public void stepped(TrainingStep step) {
                    if (step.step() == 5) {
                        trainer.stop();
                    }
                }
            });
            assertTrue(first.stopped());
            assertEquals(5, trainer.stepsDone());
            TrainingRun rest = trainer.train(data, null, TrainingListener.SILENT);
            assertEquals(List.of(6, 7, 8, 9, 10, 11, 12), rest.steps().stream().map(TrainingStep::step).toList());
        }
    }

    @Test
    void aResumedCheckpointContinuesExactlyAsTheUninterruptedRun(@TempDir Path dir) {
        TokenDataset data = pattern(32, 2000);
        TrainingConfig config = CONFIG.withSteps(10);
        List<Double> uninterrupted = new ArrayList<>();
        Path file = dir.resolve("tiny.gguf");
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(3), F32);
             Trainer trainer = Trainer.of(model, config)) {
            trainer.train(data, null, stopAt(trainer, 6));
            Checkpoint.save(trainer, file);
            trainer.train(data, null, TrainingListener.SILENT).steps().forEach(s -> uninterrupted.add(s.loss()));
        }
        try (Trainer resumed = Checkpoint.resume(file, config, F32)) {
            assertEquals(6, resumed.stepsDone());
            List<Double> continued = resumed.train(data, null, TrainingListener.SILENT).steps().stream()
                    .map(TrainingStep::loss).toList();
            assertEquals(uninterrupted.size(), continued.size());
            for (int i = 0; i < continued.size(); i++) {
                assertEquals(uninterrupted.get(i), continued.get(i), 1e-6 * uninterrupted.get(i), "step " + (7 + i));
            }
        }
    }

    @Test
    void anInterruptDuringAStepLetsItFinishSoTheWeightsAreThoseOfWholeSteps() throws Exception {
        TokenDataset data = pattern(32, 2000);
        TrainingConfig config = CONFIG.withSteps(400);
        float[] interrupted;
        int steps;
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(4), F32);
             Trainer trainer = Trainer.of(model, config)) {
            CountDownLatch running = new CountDownLatch(3);
            AtomicReference<TrainingRun> run = new AtomicReference<>();
            Thread cell = new Thread(() -> run.set(trainer.train(data, null, new TrainingListener() {
                @Override
                public void stepped(TrainingStep step) {
                    running.countDown();
                }
            })));
            cell.start();
            running.await();
            cell.interrupt();
            cell.join(60_000);
            assertTrue(run.get().stopped(), "the run says it was stopped");
            steps = trainer.stepsDone();
            assertTrue(steps >= 3 && steps < 400, steps + " steps");
            interrupted = model.weight("blk.1.ffn_down.weight");
        }
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(4), F32);
             Trainer trainer = Trainer.of(model, config)) {
            trainer.train(data, null, stopAt(trainer, steps));
            assertArrayEquals(model.weight("blk.1.ffn_down.weight"), interrupted, 1e-6f,
                    "the interrupted weights are those of " + steps + " whole steps");
        }
    }

    @Test
    void aPrefixLmCountsOnlyThePredictionsAfterThePrefix() {
        ModelSpec spec = tinyLlama(32).toBuilder().kind(dev.llmgraph.spec.ArchitectureKind.PREFIX_DECODER).build();
        try (Model model = Model.random(spec, WeightInit.gpt2(5), F32);
             TrainingGraph causal = TrainingGraph.build(model, 4, 16, 0, n -> true, false);
             TrainingGraph prefixed = TrainingGraph.build(model, 4, 16, 6, n -> true, false)) {
            assertEquals(64, causal.countedTokens());
            assertEquals(4 * 11, prefixed.countedTokens());
        }
    }

    @Test
    void badInputGetsWordsBeforeAnyNativeCall() {
        assertEquals("learningRate = NaN: must be a positive number such as 1e-3", assertThrows(
                IllegalArgumentException.class, () -> CONFIG.withSchedule(Double.NaN, 0, 0)).getMessage());
        assertEquals("prefix = 16: must be at least 0 and below context = 16, so that some tokens of each sequence "
                + "are predicted", assertThrows(IllegalArgumentException.class, () -> CONFIG.withPrefix(16)).getMessage());
        assertEquals("token id -1 at index 2 of the dataset is negative; token ids run from 0 to the vocabulary size "
                + "- 1", assertThrows(IllegalArgumentException.class, () -> TokenDataset.of(4, 5, -1)).getMessage());
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(6), F32);
             Trainer trainer = Trainer.of(model, CONFIG)) {
            assertEquals("the dataset has 10 tokens, fewer than one sequence of 17 (context 16 plus the next token); "
                    + "use more text or a shorter context", assertThrows(IllegalArgumentException.class,
                    () -> trainer.train(TokenDataset.of(new int[10]), null, TrainingListener.SILENT)).getMessage());
            assertEquals("the training data holds token id 40, outside the vocabulary of 32 of tiny-llama; byte-level "
                    + "text needs vocabSize >= 256", assertThrows(IllegalArgumentException.class,
                    () -> trainer.train(TokenDataset.of(1, 2, 40), null, TrainingListener.SILENT)).getMessage());
            assertEquals("the batch has 1 sequences and this graph takes 4", assertThrows(IllegalArgumentException.class,
                    () -> trainer.step(new int[1][17])).getMessage());
        }
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(7), F32.withMatrixType(GgmlType.F16))) {
            assertEquals("weight 'token_embd.weight' is stored as f16 and only f32 weights can be trained; create the "
                    + "model with ModelOptions.cpu().withMatrixType(GgmlType.F32)",
                    assertThrows(IllegalArgumentException.class, () -> Trainer.of(model, CONFIG)).getMessage());
        }
        ModelSpec erf = tinyLlama(32).toBuilder().ffn(Ffn.mlp(64, Activation.GELU)).build();
        try (Model model = Model.random(erf, WeightInit.gpt2(8), F32)) {
            assertEquals("tiny-llama cannot be trained: training: ggml has no gradient for the exact (erf) GELU, "
                    + "Activation.GELU, and no erf op to build one from; use Activation.GELU_TANH, the tanh "
                    + "approximation GPT-2 was trained with",
                    assertThrows(UnsupportedOperationException.class, () -> Trainer.of(model, CONFIG)).getMessage());
        }
    }

    @Test
    void misuseOfATrainerAndItsDataGetsWords(@TempDir Path dir) {
        TrainingConfig two = CONFIG.withSteps(2);
        try (Model model = Model.random(tinyLlama(32), WeightInit.gpt2(8), F32)) {
            Trainer trainer = Trainer.of(model, two);
            TokenDataset data = TokenDataset.of(java.util.stream.IntStream.range(0, 200).map(i -> i % 32).toArray());
            assertEquals(2, trainer.train(data, null, null).steps().size(), "a null listener is no listener");
            int[] row = new int[17];
            assertEquals("sequence 2 of the batch is null; each of the 4 sequences needs 17 token ids",
                    assertThrows(IllegalArgumentException.class, () -> trainer.step(new int[][] {row, row, null, row}))
                            .getMessage());
            assertEquals("evaluation batch 2 of 2: the index runs from 0 to count - 1, and count must be at least 1",
                    assertThrows(IllegalArgumentException.class, () -> data.evaluationBatch(2, 2, 4, 16)).getMessage());
            assertEquals("evaluation batch -1 of 2: the index runs from 0 to count - 1, and count must be at least 1",
                    assertThrows(IllegalArgumentException.class, () -> data.evaluationBatch(-1, 2, 4, 16)).getMessage());
            assertEquals("batchSize = -4 and context = 16: both must be at least 1",
                    assertThrows(IllegalArgumentException.class, () -> data.trainingBatch(1, 1, -4, 16)).getMessage());
            Path missing = dir.resolve("none.gguf");
            assertEquals("no checkpoint at " + missing + ": no such file; a checkpoint is saved with "
                    + "Checkpoint.save(trainer, path)", assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.resume(missing, two, F32)).getMessage());
            trainer.close();
            String closed = "this trainer was closed; create a new one with Trainer.of(model, config)";
            assertEquals(closed, assertThrows(IllegalStateException.class, () -> trainer.step(new int[4][17]))
                    .getMessage());
            assertEquals(closed, assertThrows(IllegalStateException.class,
                    () -> trainer.train(data, null, TrainingListener.SILENT)).getMessage());
            assertEquals(closed, assertThrows(IllegalStateException.class, () -> trainer.evaluate(data)).getMessage());
            trainer.close();
            assertEquals(2, model.forward(1, 2).tokens(), "the model outlives a closed trainer");
        }
    }

    @Test
    void aMixtureOfExpertsIsRefusedForTrainingInWords() {
        ModelSpec moe = tinyLlama(32).toBuilder().moe(dev.llmgraph.spec.Moe.of(4, 2, Ffn.swiglu(32))).build();
        try (Model model = Model.random(moe, WeightInit.gpt2(9), F32)) {
            assertEquals("tiny-llama cannot be trained: training: ggml has no gradient for the expert-routing ops of a "
                    + "mixture of experts (mul_mat_id, argsort); train a dense FFN, or keep MoE models to inference",
                    assertThrows(UnsupportedOperationException.class, () -> Trainer.of(model, CONFIG)).getMessage());
        }
    }

    @Test
    void latentAttentionIsRefusedForTrainingInWords() {
        ModelSpec mla = tinyLlama(32).toBuilder()
                .latentAttention(dev.llmgraph.spec.LatentAttention.of(4, 16).withHeadDims(8, 8, 8)).build();
        try (Model model = Model.random(mla, WeightInit.gpt2(9), F32)) {
            assertEquals("tiny-llama cannot be trained: training: latent attention (MLA) is lowered only in its "
                    + "cached, absorbed inference form, which joins the latent and the RoPE key with concat, an op ggml "
                    + "has no gradient for; train softmax attention (Attention.multiHead, grouped, multiQuery), or keep "
                    + "MLA models to inference",
                    assertThrows(UnsupportedOperationException.class, () -> Trainer.of(model, CONFIG)).getMessage());
        }
    }

    private static TrainingListener stopAt(Trainer trainer, int step) {
        return new TrainingListener() {
            @Override
            public void stepped(TrainingStep s) {
                if (s.step() == step) {
                    trainer.stop();
                }
            }
        };
    }
}
