package dev.llmgraph.display;

import dev.llmgraph.model.ProgressListener;

/**
 * Lowering's progress shown as a {@link Progress}: a live line in a notebook, a bar in a terminal. Registered
 * in {@code META-INF/services} so that lowering finds it without importing this package.
 */
public final class ProgressDisplay implements ProgressListener {
    @Override
    public Task started(String task, long total, String unit) {
        Progress progress = Progress.start(task, total, unit);
        return new Task() {
            @Override
            public void step() {
                progress.step();
            }

            @Override
            public void close() {
                progress.close();
            }
        };
    }
}
