package dev.llmgraph.ggml;

/**
 * A graph computation stopped early because the computing thread was interrupted or
 * {@link Backend#interrupt()} was called. The backend and its tensors stay usable.
 */
public final class ComputeInterruptedException extends RuntimeException {
    public ComputeInterruptedException(String message) {
        super(message);
    }
}
