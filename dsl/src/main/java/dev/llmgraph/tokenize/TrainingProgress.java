package dev.llmgraph.tokenize;

/**
 * What a tokenizer trainer reports while it works, so that a long corpus does not look like a hang: the
 * stage ("merges", "EM and pruning"), how much of it is done out of how much (0: not known), and a short
 * note (the vocabulary size reached, the last piece made). Trainers report a stage's end with
 * {@code done == total}.
 * <pre>{@code
 * BpeTrainer.train(corpus, 8000, TrainingProgress.shown());                      // bar, notebook line or log
 * BpeTrainer.train(corpus, 8000, (stage, done, total, note) -> log.add(stage + " " + done));  // anything else
 * }</pre>
 * Tokenizers need no terminal and no display: {@link #NONE}, the default, reports nothing.
 */
@FunctionalInterface
public interface TrainingProgress {
    /** Reports nothing. */
    TrainingProgress NONE = (stage, done, total, note) -> { };

    void update(String stage, long done, long total, String note);

    /** Progress shown through {@link dev.llmgraph.display.Progress}: one bar (or notebook line) per stage. */
    static TrainingProgress shown() {
        return new ShownTrainingProgress();
    }
}
