package dev.llmgraph.display;

import java.util.Map;

/**
 * An object that knows how to show itself: in a notebook as HTML or SVG, in JShell as text. The Jupyter
 * kernel renders a cell's value through {@link #mimeBundle()}; {@code toString()} stays the plain-text
 * form.
 */
public interface RichDisplay {
    /**
     * MIME type to content, for example {@code text/html} and {@code text/plain}; always has text/plain.
     * Binary types ({@code image/png}) are base64 text, as the Jupyter protocol carries them.
     */
    Map<String, String> mimeBundle();
}
