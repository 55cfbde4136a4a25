package dev.llmgraph.display;

import java.util.Locale;

/**
 * Writes SVG markup with a fixed number format, so the same drawing always gives the same text (tests
 * compare elements, notebooks diff cleanly). Attributes are given as name/value pairs; numbers are written
 * with at most one decimal.
 */
final class SvgWriter {
    private final StringBuilder out = new StringBuilder();

    /** Opens {@code <tag ...>}. */
    SvgWriter open(String tag, Object... attributes) {
        out.append('<').append(tag);
        attributes(attributes);
        out.append(">\n");
        return this;
    }

    SvgWriter close(String tag) {
        out.append("</").append(tag).append(">\n");
        return this;
    }

    /** Writes {@code <tag ... />}. */
    SvgWriter empty(String tag, Object... attributes) {
        out.append('<').append(tag);
        attributes(attributes);
        out.append("/>\n");
        return this;
    }

    /** Writes {@code <text ...>content</text>}. */
    SvgWriter text(String content, Object... attributes) {
        out.append("<text");
        attributes(attributes);
        out.append('>').append(Html.escape(content)).append("</text>\n");
        return this;
    }

    /** Writes {@code <title>} (a tooltip in browsers). */
    SvgWriter title(String content) {
        out.append("<title>").append(Html.escape(content)).append("</title>\n");
        return this;
    }

    /** What was written so far, without the enclosing {@code <svg>}. */
    String body() {
        return out.toString();
    }

    /** A complete {@code <svg>} element around what was written; scales down to the width of its container. */
    String document(double width, double height, String description) {
        return document(width, height, description, body());
    }

    /** A complete {@code <svg>} element around {@code body}. */
    static String document(double width, double height, String description, String body) {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height)
                + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" style=\"max-width:100%;height:auto\""
                + " font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\">\n"
                + "<desc>" + Html.escape(description) + "</desc>\n" + body + "</svg>\n";
    }

    private void attributes(Object[] pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs, got " + pairs.length + " items");
        }
        for (int i = 0; i < pairs.length; i += 2) {
            Object value = pairs[i + 1];
            if (value == null) {
                continue;
            }
            out.append(' ').append(pairs[i]).append("=\"");
            out.append(value instanceof Double || value instanceof Float ? num(((Number) value).doubleValue())
                    : Html.escape(String.valueOf(value)));
            out.append('"');
        }
    }

    /** 12.0 as "12", 12.25 as "12.3": one decimal is plenty at screen resolution. */
    static String num(double v) {
        double rounded = Math.round(v * 10) / 10.0;
        if (rounded == Math.rint(rounded)) {
            return Long.toString((long) rounded);
        }
        return String.format(Locale.ROOT, "%.1f", rounded);
    }
}
