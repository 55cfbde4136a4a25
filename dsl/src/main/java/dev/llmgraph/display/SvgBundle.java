package dev.llmgraph.display;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The MIME bundle of an SVG picture, made to survive every way a notebook is viewed.
 *
 * <p>Beside {@code image/svg+xml} it carries the same picture in {@code text/html}, as an {@code <img>} whose
 * source is a {@code data:image/svg+xml;base64,...} URI. Why: nbconvert's HTML export (6.5 and later, Debian's
 * included) passes {@code image/svg+xml} outputs through an HTML sanitiser that strips {@code <rect>},
 * {@code <text>} and every other SVG element, so each figure of a notebook shared as HTML came out blank; it copies
 * {@code text/html} outputs as they are, and no sanitiser looks inside an image. Jupyter Notebook, JupyterLab and
 * nbconvert all prefer {@code text/html} to {@code image/svg+xml}, so the image is what they show; it stays a
 * vector picture, sharp at any zoom. Tools that read only {@code image/svg+xml} still find it.
 *
 * <p>A {@link RichDisplay} of your own that draws SVG can return {@code SvgBundle.of(svg, text)} from its
 * {@code mimeBundle()} to get the same.
 */
public final class SvgBundle {
    private SvgBundle() {}

    /** {@code svg} (a complete SVG document with its xmlns), as SVG, as an HTML image, and {@code text} as plain text. */
    public static Map<String, String> of(String svg, String text) {
        return Map.of("image/svg+xml", svg, "text/html", img(svg, text), "text/plain", text);
    }

    /** An {@code <img>} showing {@code svg}; its alt text is the first line of {@code text}. */
    public static String img(String svg, String text) {
        String uri = "data:image/svg+xml;base64,"
                + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
        String alt = text.lines().findFirst().orElse("figure").strip();
        return "<img class=\"llmgraph-figure\" src=\"" + uri + "\" alt=\"" + Html.escape(alt)
                + "\" style=\"max-width:100%;height:auto\"/>";
    }
}
