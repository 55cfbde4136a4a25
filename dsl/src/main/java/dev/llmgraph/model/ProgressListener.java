package dev.llmgraph.model;

import java.util.ServiceLoader;

/**
 * Hears about long work in lowering (loading or initialising the weights of a large model), so that a front
 * end can show it without lowering knowing how. The display package provides the listener that draws a live
 * line in a notebook or a bar in a terminal; it is found through {@link ServiceLoader}, and without it the
 * work is silent.
 */
public interface ProgressListener {
    /** A listener that shows nothing. */
    ProgressListener SILENT = (task, total, unit) -> Task.NOTHING;

    /** Work named {@code task} starts, {@code total} {@code unit}s long (0 or less: unknown). */
    Task started(String task, long total, String unit);

    /** One piece of work being heard about; steps may come from several threads. */
    interface Task extends AutoCloseable {
        /** A task that hears nothing. */
        Task NOTHING = new Task() {
            @Override
            public void step() { }

            @Override
            public void close() { }
        };

        /** One more unit is done. */
        void step();

        /** The work ended (done, failed or interrupted). */
        @Override
        void close();
    }

    /** The listener a front end on the class path provides, else {@link #SILENT}. */
    static ProgressListener installed() {
        return ServiceLoader.load(ProgressListener.class, ProgressListener.class.getClassLoader())
                .findFirst().orElse(SILENT);
    }
}
