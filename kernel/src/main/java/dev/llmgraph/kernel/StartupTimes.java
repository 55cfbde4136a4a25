package dev.llmgraph.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The kernel's start-up milestones (its {@code main}, JShell ready, connected, each cell's request and reply), each
 * with the wall clock in milliseconds, appended to the file that {@code LLMGRAPH_KERNEL_TIMES} names; without it,
 * nothing. {@code bench/aot_kernel_start.py --timeline} sets it and lines them up with the front end's own times.
 */
final class StartupTimes {
    private static final String FILE = System.getenv("LLMGRAPH_KERNEL_TIMES");

    private StartupTimes() {}

    static void mark(String milestone) {
        if (FILE == null || FILE.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(FILE), milestone + " " + System.currentTimeMillis() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // a benchmark's aid: its failure must not become a cell's
        }
    }
}
