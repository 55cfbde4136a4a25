package dev.llmgraph.train;

/** Follows a training run: each step as it ends, each evaluation on held-out data. */
public interface TrainingListener {
    TrainingListener SILENT = new TrainingListener() {};

    default void started(int firstStep, int lastStep) {}

    default void stepped(TrainingStep step) {}

    /** Mean loss on held-out data after step {@code step}. */
    default void evaluated(int step, double loss) {}

    /** The run ended: after its last step, or stopped at a step boundary ({@code stopped}). */
    default void finished(int step, boolean stopped) {}
}
