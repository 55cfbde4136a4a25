package dev.llmgraph.display;

import java.util.List;

/**
 * Small helpers for the HTML this package writes. The HTML is also well-formed XML (every tag closed, no
 * named entities), so tests can read it with the JDK's XML parser.
 */
final class Html {
    private Html() {}

    /** Escapes text for an element body or an attribute value. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** One table cell; {@code attributes} is inserted verbatim (already escaped) and may be empty. */
    static String cell(String tag, String text, String attributes) {
        return "<" + tag + (attributes.isEmpty() ? "" : " " + attributes) + ">" + escape(text) + "</" + tag + ">";
    }

    /** A header row. */
    static String headerRow(List<String> headers) {
        StringBuilder sb = new StringBuilder("<tr>");
        for (String h : headers) {
            sb.append(cell("th", h, "style=\"text-align:left\""));
        }
        return sb.append("</tr>\n").toString();
    }

    /** Table styling shared by every view: compact, monospace numbers, readable in light and dark themes. */
    static final String TABLE_STYLE = "border-collapse:collapse;font-size:13px;margin:4px 0";
    static final String NUMBER_STYLE = "text-align:right;font-family:monospace;padding:1px 8px";
    static final String TEXT_STYLE = "text-align:left;padding:1px 8px";
}
