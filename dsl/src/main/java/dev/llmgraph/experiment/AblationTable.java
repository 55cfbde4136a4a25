package dev.llmgraph.experiment;

import dev.llmgraph.display.RichDisplay;
import dev.llmgraph.display.Table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The result of an {@link Ablation}: a row per combination of the axes' values, with the measures, or the
 * reason the spec refused the combination. HTML in a notebook, aligned text in JShell, CSV for a file.
 */
public final class AblationTable implements RichDisplay {
    /**
     * @param labels  the axis values of this row, in axis order
     * @param values  one per measure (numbers, or a word where a measure does not apply); empty if refused
     * @param problem why the combination could not be measured, or null
     */
    public record Row(List<String> labels, List<Object> values, String problem) {}

    private final String base;
    private final List<String> axes;
    private final List<String> measures;
    private final int planned;
    private final List<Row> rows = new ArrayList<>();

    AblationTable(String base, List<String> axes, List<String> measures, int planned) {
        this.base = base;
        this.axes = List.copyOf(axes);
        this.measures = List.copyOf(measures);
        this.planned = planned;
    }

    void add(Row row) {
        rows.add(row);
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    /**
     * The values of one measure, a row each in table order (null where the combination was refused), e.g. to
     * draw a chart from the rows.
     */
    public List<Object> column(String measure) {
        int m = measures.indexOf(measure);
        if (m < 0) {
            throw new IllegalArgumentException("no measure named '" + measure + "' in this table; its measures are "
                    + measures);
        }
        List<Object> column = new ArrayList<>();
        for (Row r : rows) {
            column.add(m < r.values().size() ? r.values().get(m) : null);
        }
        return Collections.unmodifiableList(column);
    }

    /** Whether every combination was measured (false after a stop). */
    public boolean complete() {
        return rows.size() == planned;
    }

    /** The table as comma-separated values: a header line, then a row per combination. */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        List<String> header = new ArrayList<>(axes);
        header.addAll(measures);
        header.add("problem");
        line(sb, header);
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(r.labels());
            for (int m = 0; m < measures.size(); m++) {
                Object v = m < r.values().size() ? r.values().get(m) : "";
                cells.add(v instanceof double[] series ? java.util.Arrays.stream(series).mapToObj(Double::toString)
                        .collect(java.util.stream.Collectors.joining(" ")) : v);
            }
            cells.add(r.problem() == null ? "" : r.problem());
            line(sb, cells);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            String c = String.valueOf(cells.get(i));
            boolean quote = c.contains(",") || c.contains("\"") || c.contains("\n");
            sb.append(i == 0 ? "" : ",").append(quote ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
        }
        sb.append('\n');
    }

    /** The table shown; its last column, "note", only where some combination was refused. */
    private Table table() {
        boolean refusals = rows.stream().anyMatch(r -> r.problem() != null);
        List<String> header = new ArrayList<>(axes);
        header.addAll(measures);
        if (refusals) {
            header.add("note");
        }
        Table t = Table.of(header.toArray(String[]::new)).caption("ablation of " + base
                + (complete() ? "" : " (stopped after " + rows.size() + " of " + planned + " combinations)"));
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(r.labels());
            for (int m = 0; m < measures.size(); m++) {
                cells.add(m < r.values().size() ? shown(r.values().get(m)) : "-");
            }
            if (refusals) {
                cells.add(r.problem() == null ? "" : "refused: " + r.problem().replace("\n", " "));
            }
            t.row(cells.toArray());
        }
        return t;
    }

    /** A series (a custom measure's double[]) shown by its length, first and last values; the rest as they are. */
    private static Object shown(Object value) {
        if (value instanceof double[] series && series.length > 0) {
            return String.format("%d values: %.3g ... %.3g", series.length, series[0], series[series.length - 1]);
        }
        return value;
    }

    @Override
    public Map<String, String> mimeBundle() {
        return table().mimeBundle();
    }

    @Override
    public String toString() {
        return table().toString();
    }
}
