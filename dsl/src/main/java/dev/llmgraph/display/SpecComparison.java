package dev.llmgraph.display;

import dev.llmgraph.spec.ModelSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Two specs side by side: every choice, the parameters per component, the KV cache and memory, with the rows
 * that differ marked (highlighted in HTML, starred in text) and the ratio b / a for the numbers; below, both
 * block diagrams. "What changes if this LLaMA used post-norm, ALiBi and MQA?" in one table.
 */
public final class SpecComparison implements RichDisplay {
    /**
     * One row of the comparison.
     *
     * @param label  what the row is
     * @param a      the first spec's value as shown
     * @param b      the second spec's value as shown
     * @param ratio  b / a for numeric rows ("0.25x"), empty otherwise
     */
    public record Row(String label, String a, String b, String ratio) {
        public boolean differs() {
            return !a.equals(b);
        }
    }

    private final ModelSpec a;
    private final ModelSpec b;

    private SpecComparison(ModelSpec a, ModelSpec b) {
        this.a = Objects.requireNonNull(a);
        this.b = Objects.requireNonNull(b);
    }

    public static SpecComparison of(ModelSpec a, ModelSpec b) {
        return new SpecComparison(a, b);
    }

    /** All rows, choices first, then parameters per component, then costs. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        Map<String, String> ca = SpecFacts.choices(a), cb = SpecFacts.choices(b);
        for (String key : union(ca.keySet(), cb.keySet())) {
            rows.add(new Row(key, ca.getOrDefault(key, "-"), cb.getOrDefault(key, "-"), ""));
        }
        Map<String, Long> pa = parameters(a), pb = parameters(b);
        for (String key : union(pa.keySet(), pb.keySet())) {
            long va = pa.getOrDefault(key, 0L), vb = pb.getOrDefault(key, 0L);
            rows.add(new Row("parameters: " + key, Format.grouped(va), Format.grouped(vb), ratio(va, vb)));
        }
        List<SpecFacts.Cost> costA = SpecFacts.costs(a), costB = SpecFacts.costs(b);
        for (int i = 0; i < costA.size(); i++) {
            SpecFacts.Cost x = costA.get(i), y = costB.get(i);
            rows.add(new Row(x.label(), x.text(), y.text(), ratio(x.value(), y.value())));
        }
        return rows;
    }

    /** The rows whose values differ. */
    public List<Row> differences() {
        return rows().stream().filter(Row::differs).toList();
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/html", html(), "text/plain", toString());
    }

    /** The HTML form: the table with differing rows highlighted, then both diagrams side by side. */
    public String html() {
        StringBuilder sb = new StringBuilder("<div class=\"llmgraph-compare\">\n");
        sb.append("<table class=\"comparison\" style=\"").append(Html.TABLE_STYLE).append("\">\n");
        sb.append(Html.headerRow(List.of("", "a: " + a.name(), "b: " + b.name(), "b / a")));
        for (Row row : rows()) {
            String style = row.differs() ? " style=\"background:#fff3b0;color:#222\"" : "";
            sb.append("<tr class=\"").append(row.differs() ? "differs" : "same").append("\" data-row=\"")
                    .append(Html.escape(row.label())).append('"').append(style).append('>')
                    .append(Html.cell("th", row.label(), "style=\"" + Html.TEXT_STYLE + "\""))
                    .append(Html.cell("td", row.a(), "style=\"" + Html.TEXT_STYLE + "\""))
                    .append(Html.cell("td", row.b(), "style=\"" + Html.TEXT_STYLE + "\""))
                    .append(Html.cell("td", row.ratio(), "style=\"" + Html.NUMBER_STYLE + "\"")).append("</tr>\n");
        }
        sb.append("</table>\n");
        sb.append("<div style=\"display:flex;gap:12px;align-items:flex-start\">\n");
        for (ModelSpec spec : List.of(a, b)) {
            sb.append("<div style=\"flex:1 1 0;min-width:0\"><div style=\"font-weight:bold\">")
                    .append(Html.escape(spec.name())).append("</div>\n").append(BlockDiagram.of(spec).svg())
                    .append("</div>\n");
        }
        return sb.append("</div>\n</div>\n").toString();
    }

    /** The text form: one aligned table, '*' marking the rows that differ. */
    @Override
    public String toString() {
        TextTable table = new TextTable("", "", "a: " + a.name(), "b: " + b.name(), ">b / a");
        for (Row row : rows()) {
            table.row(row.differs() ? "*" : "", row.label(), row.a(), row.b(), row.ratio());
        }
        return "a: " + a.name() + " vs b: " + b.name() + " (* = differs)\n" + table.toString().stripTrailing();
    }

    private static Map<String, Long> parameters(ModelSpec s) {
        return new LinkedHashMap<>(s.accounting().parameters().components());
    }

    private static Set<String> union(Set<String> x, Set<String> y) {
        Set<String> all = new LinkedHashSet<>(x);
        all.addAll(y);
        return all;
    }

    private static String ratio(long a, long b) {
        if (a == b) {
            return "1x";
        }
        return a == 0 ? "new" : String.format(Locale.ROOT, "%.3gx", (double) b / a);
    }
}
