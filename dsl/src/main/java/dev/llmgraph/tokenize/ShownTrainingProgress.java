package dev.llmgraph.tokenize;

import dev.llmgraph.display.Progress;

/** {@link TrainingProgress} drawn by {@link Progress}: a new one when the stage changes, closed at its end. */
final class ShownTrainingProgress implements TrainingProgress {
    private Progress current;
    private String stage;

    @Override
    public synchronized void update(String stage, long done, long total, String note) {
        if (current == null || !stage.equals(this.stage)) {
            close();
            this.stage = stage;
            current = Progress.start(stage, total, "");
        }
        current.message(note);
        current.set(done);
        if (total > 0 && done >= total) {
            close();
        }
    }

    private void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
