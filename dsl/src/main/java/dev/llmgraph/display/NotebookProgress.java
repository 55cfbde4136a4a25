package dev.llmgraph.display;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Progress in a notebook: one display, then updates under the same display id. Updates go out when the
 * whole percentage changes or a quarter second has passed, so a million tiny steps do not flood the kernel.
 */
final class NotebookProgress implements Progress.View {
    private static final long MIN_INTERVAL_NANOS = 250_000_000L;

    private final DisplaySink sink;
    private final String displayId = "llmgraph-progress-" + UUID.randomUUID();
    private long lastPercent = -1;
    private long lastNanos;
    private String lastMessage = "";

    NotebookProgress(DisplaySink sink) {
        this.sink = sink;
    }

    @Override
    public void started(Progress p) {
        sink.display(bundle(p, false), displayId);
        lastPercent = percent(p);
        lastNanos = System.nanoTime();
    }

    @Override
    public void advanced(Progress p) {
        long percent = percent(p);
        long now = System.nanoTime();
        if (percent != lastPercent || !p.message().equals(lastMessage) || now - lastNanos >= MIN_INTERVAL_NANOS) {
            sink.update(bundle(p, false), displayId);
            lastPercent = percent;
            lastMessage = p.message();
            lastNanos = now;
        }
    }

    @Override
    public void finished(Progress p) {
        sink.update(bundle(p, true), displayId);
    }

    private static long percent(Progress p) {
        return p.knownTotal() ? Math.min(100, 100 * p.done() / p.total()) : p.done();
    }

    static Map<String, String> bundle(Progress p, boolean finished) {
        String counts = p.knownTotal()
                ? String.format(Locale.ROOT, "%d/%d%s (%d%%)", p.done(), p.total(), unit(p), percent(p))
                : p.done() + unit(p);
        String rate = String.format(Locale.ROOT, "%.1f%s/s", p.rate(), unit(p));
        String time = String.format(Locale.ROOT, "%.1f s", p.elapsed().toNanos() / 1e9);
        String status = (finished ? "done in " : "") + time;
        String message = p.message().isEmpty() ? "" : " · " + p.message();
        String bar = p.knownTotal()
                ? "<progress value=\"" + Math.min(p.done(), p.total()) + "\" max=\"" + p.total() + "\""
                : "<progress";
        String html = "<div class=\"llmgraph-progress\" style=\"font-family:monospace;font-size:13px\">" + bar
                + " style=\"width:280px;vertical-align:middle\"></progress> <b>" + Html.escape(p.task()) + "</b> "
                + Html.escape(counts) + " · " + Html.escape(rate) + " · " + Html.escape(status)
                + Html.escape(message) + "</div>";
        String text = p.task() + " " + counts + " " + rate + " " + status + message;
        return Map.of("text/html", html, "text/plain", text);
    }

    private static String unit(Progress p) {
        return p.unit().isEmpty() ? "" : " " + p.unit();
    }
}
