package dev.llmgraph.display;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small results table for notebooks: a row per model or per measurement, HTML in a notebook and aligned
 * text in JShell. Numbers are formatted as they are added: whole numbers with thousands separators
 * ({@code 6,738,415,616}), other numbers with three significant digits; numeric columns are right-aligned.
 * <pre>{@code
 * var table = Table.of("model", "parameters", "layers");
 * for (var spec : List.of(Presets.llama2_7b(), Presets.bloom560m())) {
 *     table.row(spec.name(), spec.parameterCount(), spec.layers());
 * }
 * table   // the cell's value shows the table
 * }</pre>
 */
public final class Table implements RichDisplay {
    private final List<String> headers;
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] numeric;
    private String caption = "";

    private Table(List<String> headers) {
        this.headers = List.copyOf(headers);
        this.numeric = new boolean[headers.size()];
        Arrays.fill(numeric, true);
    }

    /** A table with these column headers. */
    public static Table of(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column header");
        }
        return new Table(Arrays.asList(headers));
    }

    /** A line shown above the table. */
    public Table caption(String caption) {
        this.caption = caption == null ? "" : caption;
        return this;
    }

    /** Adds a row; it must have one cell per column. A column is right-aligned while all its cells are numbers. */
    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("this row has " + cells.length + " cells but the table has "
                    + headers.size() + " columns " + headers + ": " + Arrays.toString(cells));
        }
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            text[i] = format(cells[i]);
            numeric[i] &= cells[i] instanceof Number;
        }
        rows.add(text);
        return this;
    }

    public List<String> headers() {
        return headers;
    }

    /** The formatted cells of row {@code index}. */
    public List<String> cells(int index) {
        return List.of(rows.get(index));
    }

    public int rowCount() {
        return rows.size();
    }

    /** How a cell is written: grouped whole numbers, three significant digits otherwise, text as it is. */
    static String format(Object cell) {
        return switch (cell) {
            case null -> "";
            case Long l -> String.format(Locale.ROOT, "%,d", l);
            case Integer i -> String.format(Locale.ROOT, "%,d", i);
            case Short s -> String.format(Locale.ROOT, "%,d", s);
            case Double d -> decimal(d);
            case Float f -> decimal(f);
            default -> cell.toString();
        };
    }

    private static String decimal(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        double magnitude = Math.abs(v);
        if (magnitude >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (magnitude >= 1e-3) {
            return String.format(Locale.ROOT, "%.3g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/html", html(), "text/plain", toString());
    }

    /** The HTML form: a plain table, numbers right-aligned in monospace. */
    public String html() {
        String cellStyle = "padding:1px 8px;";
        StringBuilder sb = new StringBuilder("<table class=\"llmgraph-table\" style=\"border-collapse:collapse;"
                + "font-size:13px;margin:4px 0\">\n");
        if (!caption.isEmpty()) {
            sb.append("<caption style=\"text-align:left;font-weight:bold\">").append(Html.escape(caption))
                    .append("</caption>\n");
        }
        sb.append("<tr>");
        for (int c = 0; c < headers.size(); c++) {
            sb.append("<th style=\"").append(cellStyle).append("text-align:").append(numeric[c] ? "right" : "left")
                    .append("\">").append(Html.escape(headers.get(c))).append("</th>");
        }
        sb.append("</tr>\n");
        for (String[] r : rows) {
            sb.append("<tr>");
            for (int c = 0; c < r.length; c++) {
                sb.append("<td style=\"").append(cellStyle)
                        .append(numeric[c] ? "text-align:right;font-family:monospace" : "text-align:left")
                        .append("\">").append(Html.escape(r[c])).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    /** Aligned text: columns two spaces apart, numbers right-aligned. */
    @Override
    public String toString() {
        String[] marked = new String[headers.size()];
        for (int c = 0; c < marked.length; c++) {
            marked[c] = (numeric[c] ? ">" : "") + headers.get(c);
        }
        TextTable text = new TextTable(marked);
        rows.forEach(text::row);
        return ((caption.isEmpty() ? "" : caption + "\n") + text).stripTrailing();
    }
}
