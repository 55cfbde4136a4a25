package dev.llmgraph.train;

import java.util.List;

/**
 * What one call of {@link Trainer#train} did: its steps, its evaluations on held-out data, and whether it
 * was stopped before the configured step count (a stop request, an interrupt, or a loss that became NaN or
 * infinite, which ends a run since no later step can recover from it).
 */
public record TrainingRun(List<TrainingStep> steps, List<Evaluation> evaluations, boolean stopped) {
    /** Mean held-out loss after step {@code step}. */
    public record Evaluation(int step, double loss) {}

    public TrainingRun {
        steps = List.copyOf(steps);
        evaluations = List.copyOf(evaluations);
    }

    /** The last step's training loss; NaN when no step ran. */
    public double finalLoss() {
        return steps.isEmpty() ? Double.NaN : steps.getLast().loss();
    }

    /** Whether the loss became NaN or infinite. */
    public boolean diverged() {
        return steps.stream().anyMatch(s -> !Double.isFinite(s.loss()));
    }

    /** Mean tokens per second over the steps (wall time of the steps only). */
    public double tokensPerSecond() {
        long tokens = steps.stream().mapToLong(TrainingStep::tokens).sum();
        long nanos = steps.stream().mapToLong(TrainingStep::nanos).sum();
        return tokens * 1e9 / Math.max(1, nanos);
    }
}
