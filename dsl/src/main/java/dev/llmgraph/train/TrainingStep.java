package dev.llmgraph.train;

/**
 * What one optimizer step did.
 *
 * @param step          1-based step number
 * @param loss          mean cross-entropy of the step's batch, before the update (nats per token)
 * @param learningRate  the scheduled learning rate the update used
 * @param gradientNorm  global L2 norm of the gradients, before clipping
 * @param tokens        tokens the step read (batch x context)
 * @param nanos         wall time of the step (inputs, forward, backward, update)
 */
public record TrainingStep(int step, double loss, double learningRate, double gradientNorm, int tokens, long nanos) {
    /** Tokens per second of this step. */
    public double tokensPerSecond() {
        return tokens * 1e9 / Math.max(1, nanos);
    }
}
