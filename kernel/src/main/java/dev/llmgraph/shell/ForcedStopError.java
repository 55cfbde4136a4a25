package dev.llmgraph.shell;

/**
 * Thrown inside cell code that went on running after an interrupt: an {@link Error}, so that
 * {@code catch (Exception e)} in the cell does not swallow it.
 */
public final class ForcedStopError extends Error {
    ForcedStopError() {
        super("stopped at a loop or branch of the cell's code, which went on after the interrupt");
    }
}
