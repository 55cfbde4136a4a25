package dev.llmgraph.display;

import java.util.Map;

/**
 * Where {@link Display} sends things. The Jupyter kernel installs one that emits display_data and
 * update_display_data messages; without it, text goes to standard output.
 */
public interface DisplaySink {
    /** Shows a MIME bundle; {@code displayId} (may be null) names it for later updates. */
    void display(Map<String, String> bundle, String displayId);

    /** Replaces what was shown under {@code displayId}. */
    void update(Map<String, String> bundle, String displayId);

    /** Whether shown items can be replaced in place (true in a notebook, false in a terminal). */
    boolean supportsUpdates();
}
