package dev.llmgraph.train;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.TrainingGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Trains a model's weights in place with ggml's backward pass and AdamW: one graph per run holds the
 * forward pass, the loss, the gradients and the update, so a step is one computation on the model's backend.
 * <pre>{@code
 * try (Model model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withMatrixType(GgmlType.F32));
 *      Trainer trainer = Trainer.of(model, TrainingConfig.defaults())) {
 *     TokenDataset[] data = TokenDataset.bytes(text).split(0.9);
 *     TrainingRun run = trainer.train(data[0], data[1], TrainingListener.SILENT);
 * }
 * }</pre>
 * A {@link dev.llmgraph.model.LoraAdapter} attached to the model trains the same way, alone with the base
 * frozen: {@code Trainer.of(model, config, LoraAdapter::isAdapterTensor)}.
 *
 * <p>Steps run on a worker thread of their own: an interrupt of the calling thread (the notebook's stop
 * button) lets the step under way finish, so the weights and moments stay those of a whole step, and
 * {@link #train} returns with {@code stopped} set; training can then resume, or be saved with
 * {@link Checkpoint}.
 */
public final class Trainer implements AutoCloseable {
    private final Model model;
    private final TrainingConfig config;
    private final TrainingGraph graph;
    private final AdamW optimizer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "llmgraph-trainer");
        t.setDaemon(true);
        return t;
    });
    private final List<TrainingStep> history = new ArrayList<>();
    private TrainingGraph evaluation;
    private boolean ownsModel;
    private int step;
    private volatile boolean stopRequested;
    private boolean closed;

    private Trainer(Model model, TrainingConfig config, Predicate<String> trainable) {
        this.model = model;
        this.config = config;
        this.graph = TrainingGraph.build(model, config.batchSize(), config.context(), config.prefix(), trainable, true);
        try {
            this.optimizer = new AdamW(graph, config);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** A trainer of every weight of {@code model} (which must hold f32 weights). */
    public static Trainer of(Model model, TrainingConfig config) {
        return of(model, config, name -> true);
    }

    /** A trainer of every weight of {@code model} that closes the model when it is closed. */
    static Trainer owning(Model model, TrainingConfig config) {
        Trainer trainer = of(model, config);
        trainer.ownsModel = true;
        return trainer;
    }

    /**
     * A trainer of the weights {@code trainable} accepts by llama.cpp name, among the model's and those of its
     * attached adapter ({@code blk.0.attn_q.weight.lora_a}, ...); the others stay frozen.
     */
    public static Trainer of(Model model, TrainingConfig config, Predicate<String> trainable) {
        return new Trainer(model, config, trainable);
    }

    /**
     * Trains from the current step up to {@code config.steps()} on random batches of {@code data}, evaluating
     * on {@code heldOut} (may be null) every {@code evalEvery} steps and at the end; {@code listener} (may be
     * null) follows the run.
     */
    public TrainingRun train(TokenDataset data, TokenDataset heldOut, TrainingListener listener) {
        ensureOpen();
        if (data == null) {
            throw new IllegalArgumentException("the training data is null; pass a TokenDataset, e.g. "
                    + "TokenDataset.bytes(text)");
        }
        if (listener == null) {
            listener = TrainingListener.SILENT;
        }
        requireVocabulary(data, "training data");
        if (heldOut != null) {
            requireVocabulary(heldOut, "held-out data");
        }
        stopRequested = false;
        List<TrainingStep> steps = new ArrayList<>();
        List<TrainingRun.Evaluation> evaluations = new ArrayList<>();
        listener.started(step + 1, config.steps());
        while (step < config.steps() && !stopRequested) {
            int[][] batch = data.trainingBatch(config.seed(), step + 1, config.batchSize(), config.context());
            TrainingStep done = runStep(batch);
            steps.add(done);
            listener.stepped(done);
            boolean last = step == config.steps();
            if (heldOut != null && ((config.evalEvery() > 0 && step % config.evalEvery() == 0) || last)) {
                double loss = evaluate(heldOut);
                evaluations.add(new TrainingRun.Evaluation(step, loss));
                listener.evaluated(step, loss);
            }
        }
        listener.finished(step, stopRequested);
        return new TrainingRun(steps, evaluations, stopRequested);
    }

    /** One step on {@code batch} ({@code batchSize} sequences of {@code context + 1} ids). */
    public TrainingStep step(int[][] batch) {
        ensureOpen();
        return runStep(batch);
    }

    /** Asks a running {@link #train} to stop after the step under way (from any thread). */
    public void stop() {
        stopRequested = true;
    }

    private TrainingStep runStep(int[][] batch) {
        int next = step + 1;
        Future<TrainingStep> running = worker.submit(() -> compute(batch, next));
        TrainingStep done = awaitWholeStep(running);
        step = next;
        history.add(done);
        if (!Double.isFinite(done.loss())) {
            stopRequested = true;
        }
        return done;
    }

    private TrainingStep compute(int[][] batch, int next) {
        long t0 = System.nanoTime();
        optimizer.prepare(next);
        double loss = graph.run(batch);
        return new TrainingStep(next, loss, config.learningRateAt(next), optimizer.gradientNorm(),
                config.batchSize() * config.context(), System.nanoTime() - t0);
    }

    /** Waits for a step; an interrupt meanwhile becomes a stop after it, never half a step. */
    private TrainingStep awaitWholeStep(Future<TrainingStep> running) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return running.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    stopRequested = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the training step failed: " + e.getCause(), e.getCause());
        } finally {
            if (interrupted) {
                Thread.interrupted();
            }
        }
    }

    /** Mean loss over {@code evalBatches} fixed batches of {@code heldOut}, weights unchanged. */
    public double evaluate(TokenDataset heldOut) {
        ensureOpen();
        if (heldOut == null) {
            throw new IllegalArgumentException("the held-out data is null; pass a TokenDataset, e.g. the second part "
                    + "of data.split(0.9)");
        }
        requireVocabulary(heldOut, "held-out data");
        if (evaluation == null) {
            evaluation = TrainingGraph.build(model, config.batchSize(), config.context(), config.prefix(), n -> false,
                    false);
        }
        double sum = 0;
        for (int i = 0; i < config.evalBatches(); i++) {
            int[][] batch = heldOut.evaluationBatch(i, config.evalBatches(), config.batchSize(), config.context());
            Future<Double> running = worker.submit(() -> evaluation.run(batch));
            try {
                sum += running.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.llmgraph.ggml.ComputeInterruptedException("the evaluation was interrupted");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        return sum / config.evalBatches();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this trainer was closed; create a new one with Trainer.of(model, config)");
        }
    }

    private void requireVocabulary(TokenDataset data, String what) {
        int vocab = model.spec().vocabSize();
        if (data.maxId() >= vocab) {
            throw new IllegalArgumentException("the " + what + " holds token id " + data.maxId() + ", outside the "
                    + "vocabulary of " + vocab + " of " + model.spec().name() + "; byte-level text needs vocabSize >= 256");
        }
    }

    /** Steps done so far (the next step is this plus one). */
    public int stepsDone() {
        return step;
    }

    /** Every step this trainer ran, in order. */
    public List<TrainingStep> history() {
        return List.copyOf(history);
    }

    public TrainingConfig config() {
        return config;
    }

    public Model model() {
        return model;
    }

    AdamW optimizer() {
        return optimizer;
    }

    /** Continues the step count of a saved run ({@link Checkpoint}). */
    void resumeAt(int step) {
        this.step = step;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.shutdownNow();
        optimizer.close();
        graph.close();
        if (evaluation != null) {
            evaluation.close();
        }
        if (ownsModel) {
            model.close();
        }
    }
}
