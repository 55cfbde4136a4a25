package dev.llmgraph.display;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress written to a log: standard error is a file or a pipe, not a terminal, so a bar redrawn with carriage
 * returns would leave hundreds of partial lines. One line when the work starts, one when it ends.
 */
final class LogProgress implements Progress.View {
    private final PrintStream out;

    LogProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(Progress p) {
        out.println(p.task() + ": started" + (p.knownTotal() ? ", " + p.total() + unit(p) : ""));
    }

    @Override
    public void advanced(Progress p) {
    }

    @Override
    public void finished(Progress p) {
        double seconds = p.elapsed().toNanos() / 1e9;
        out.println(String.format(Locale.ROOT, "%s: %d%s%s in %.1f s%s", p.task(), p.done(),
                p.knownTotal() ? " of " + p.total() : "", unit(p), seconds,
                p.message().isEmpty() ? "" : " (" + p.message() + ")"));
    }

    private static String unit(Progress p) {
        return p.unit().isEmpty() ? "" : " " + p.unit();
    }
}
