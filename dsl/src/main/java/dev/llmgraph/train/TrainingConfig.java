package dev.llmgraph.train;

/**
 * How to train: batch shape, steps, AdamW with a warm-up and cosine learning-rate schedule, weight decay,
 * gradient clipping, evaluation cadence and the loss mask. Immutable; {@link #defaults()} then the
 * {@code with...} methods; every value is checked when set, with a message naming the field and the fix.
 *
 * <p>Learning rate at step t (1-based) of {@code steps}: {@code peak * t / warmup} while t <= warmup, then
 * {@code min + (peak - min) (1 + cos(pi (t - warmup) / (steps - warmup))) / 2}. Weight decay is decoupled
 * (AdamW) and applies to matrices and embeddings, not to 1-D weights (norm gains, biases). Gradients are
 * clipped to a global norm: scaled by {@code min(1, clip / (norm + 1e-6))} (clip 0 turns clipping off).
 *
 * @param batchSize     sequences per step (B)
 * @param context       tokens per sequence (T); each sequence also reads the next token as its last target
 * @param steps         optimizer steps in all (a resumed run continues up to this count)
 * @param prefix        tokens at the start of each sequence that are context, not targets (prefix LM); 0 = causal LM
 * @param evalEvery     steps between evaluations on held-out data (0: never during training)
 * @param evalBatches   batches an evaluation averages over
 */
public record TrainingConfig(int batchSize, int context, int steps, double learningRate, double minLearningRate,
                             int warmupSteps, double beta1, double beta2, double epsilon, double weightDecay,
                             double clipNorm, long seed, int evalEvery, int evalBatches, int prefix) {
    public TrainingConfig {
        positive("batchSize", batchSize);
        positive("context", context);
        positive("steps", steps);
        finiteAtLeast("learningRate", learningRate, Double.MIN_VALUE, "a positive number such as 1e-3");
        finiteAtLeast("minLearningRate", minLearningRate, 0, "0 or a positive number below learningRate");
        if (minLearningRate > learningRate) {
            throw new IllegalArgumentException("minLearningRate = " + minLearningRate + " is above learningRate = "
                    + learningRate + "; the cosine schedule decays from learningRate down to minLearningRate");
        }
        atLeast("warmupSteps", warmupSteps, 0);
        unit("beta1", beta1);
        unit("beta2", beta2);
        finiteAtLeast("epsilon", epsilon, Double.MIN_VALUE, "a small positive number such as 1e-8");
        finiteAtLeast("weightDecay", weightDecay, 0, "0 (none) or a small positive number such as 0.1");
        finiteAtLeast("clipNorm", clipNorm, 0, "0 (no clipping) or a positive norm such as 1.0");
        atLeast("evalEvery", evalEvery, 0);
        positive("evalBatches", evalBatches);
        if (prefix < 0 || prefix >= context) {
            throw new IllegalArgumentException("prefix = " + prefix + ": must be at least 0 and below context = "
                    + context + ", so that some tokens of each sequence are predicted");
        }
    }

    /** Batch 8 x 64, 200 steps, lr 1e-3 with 20 warm-up steps decaying to 1e-4, AdamW (0.9, 0.999, 1e-8), decay 0.1, clip 1. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(8, 64, 200, 1e-3, 1e-4, 20, 0.9, 0.999, 1e-8, 0.1, 1.0, 1, 50, 4, 0);
    }

    /** The learning rate of step {@code step} (1-based). */
    public double learningRateAt(int step) {
        if (step <= warmupSteps) {
            return learningRate * step / warmupSteps;
        }
        if (steps == warmupSteps) {
            return learningRate;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (steps - warmupSteps));
        return minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
    }

    public TrainingConfig withBatch(int batchSize, int context) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    public TrainingConfig withSteps(int steps) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    /** Peak and final learning rate, and the warm-up steps that rise linearly to the peak. */
    public TrainingConfig withSchedule(double learningRate, double minLearningRate, int warmupSteps) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    public TrainingConfig withAdamW(double beta1, double beta2, double epsilon, double weightDecay) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    public TrainingConfig withClipNorm(double clipNorm) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    public TrainingConfig withSeed(long seed) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    public TrainingConfig withEvaluation(int evalEvery, int evalBatches) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    /** A prefix LM: the first {@code prefix} tokens of each sequence are context, not targets. */
    public TrainingConfig withPrefix(int prefix) {
        return new TrainingConfig(batchSize, context, steps, learningRate, minLearningRate, warmupSteps, beta1, beta2,
                epsilon, weightDecay, clipNorm, seed, evalEvery, evalBatches, prefix);
    }

    private static void positive(String field, int value) {
        atLeast(field, value, 1);
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " = " + value + ": must be at least " + min);
        }
    }

    private static void finiteAtLeast(String field, double value, double min, String expected) {
        if (!Double.isFinite(value) || value < min) {
            throw new IllegalArgumentException(field + " = " + value + ": must be " + expected);
        }
    }

    private static void unit(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(field + " = " + value + ": a moment decay must be in [0, 1), e.g. 0.9");
        }
    }
}
