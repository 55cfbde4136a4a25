package dev.llmgraph.display;

import dev.llmgraph.spec.ModelSpec;

import java.util.List;
import java.util.Map;

/**
 * A spec at a glance: its choices, a table of components with their tensors (paper order) and parameter
 * counts, the totals (parameters, KV cache per token and at the context length, a memory estimate, FLOPs)
 * and its block diagram. In a notebook this is HTML with the diagram inline; in JShell, aligned text.
 * {@code Display.bundleOf(spec)} gives this view.
 */
public final class SpecSummary implements RichDisplay {
    /** Before the settings a spec left at the builder's defaults. */
    static final String DEFAULTED = "left at the builder's defaults (LLaMA's): ";

    private final ModelSpec spec;

    private SpecSummary(ModelSpec spec) {
        this.spec = spec;
    }

    public static SpecSummary of(ModelSpec spec) {
        return new SpecSummary(spec);
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/html", html(), "text/plain", toString());
    }

    /** The HTML form (well-formed XML), with the block diagram inline. */
    public String html() {
        StringBuilder sb = new StringBuilder();
        sb.append("<div class=\"llmgraph-spec\">\n");
        sb.append("<div style=\"font-weight:bold;font-size:15px;margin:4px 0\">").append(Html.escape(spec.name()))
                .append("</div>\n");
        sb.append("<div style=\"display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start\">\n<div>\n");
        choicesTable(sb);
        String defaulted = SpecFacts.defaulted(spec);
        if (!defaulted.isEmpty()) {
            sb.append("<div class=\"defaulted\" style=\"font-size:12px;margin:2px 0\">")
                    .append(Html.escape(DEFAULTED + defaulted)).append("</div>\n");
        }
        componentsTable(sb);
        costsTable(sb);
        sb.append("</div>\n<div style=\"flex:1 1 480px;max-width:720px\">\n");
        sb.append(BlockDiagram.of(spec).svg());
        sb.append("</div>\n</div>\n</div>\n");
        return sb.toString();
    }

    private void choicesTable(StringBuilder sb) {
        sb.append("<table class=\"choices\" style=\"").append(Html.TABLE_STYLE).append("\">\n");
        for (var e : SpecFacts.choices(spec).entrySet()) {
            sb.append("<tr data-row=\"").append(Html.escape(e.getKey())).append("\">")
                    .append(Html.cell("th", e.getKey(), "style=\"" + Html.TEXT_STYLE + "\""))
                    .append(Html.cell("td", e.getValue(), "style=\"" + Html.TEXT_STYLE + "\"")).append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private void componentsTable(StringBuilder sb) {
        long total = spec.parameterCount();
        sb.append("<table class=\"components\" style=\"").append(Html.TABLE_STYLE).append("\">\n");
        sb.append(Html.headerRow(List.of("component", "tensors (paper order: [out, in])", "parameters", "share")));
        for (SpecFacts.Component c : SpecFacts.components(spec)) {
            sb.append("<tr data-component=\"").append(Html.escape(c.name())).append("\">")
                    .append(Html.cell("td", c.name(), "style=\"" + Html.TEXT_STYLE + "\""))
                    .append(Html.cell("td", shapes(c), "style=\"" + Html.TEXT_STYLE + ";font-size:12px\""))
                    .append(Html.cell("td", Format.grouped(c.parameters()), "class=\"params\" data-value=\""
                            + c.parameters() + "\" style=\"" + Html.NUMBER_STYLE + "\""))
                    .append(Html.cell("td", percent(c.parameters(), total), "style=\"" + Html.NUMBER_STYLE + "\""))
                    .append("</tr>\n");
        }
        sb.append("<tr data-component=\"total\" style=\"font-weight:bold\">")
                .append(Html.cell("td", "total", "style=\"" + Html.TEXT_STYLE + "\""))
                .append(Html.cell("td", "", ""))
                .append(Html.cell("td", Format.grouped(total), "class=\"params\" data-value=\"" + total + "\" style=\""
                        + Html.NUMBER_STYLE + "\""))
                .append(Html.cell("td", "100%", "style=\"" + Html.NUMBER_STYLE + "\"")).append("</tr>\n");
        sb.append("</table>\n");
    }

    private void costsTable(StringBuilder sb) {
        sb.append("<table class=\"costs\" style=\"").append(Html.TABLE_STYLE).append("\">\n");
        for (SpecFacts.Cost cost : SpecFacts.costs(spec)) {
            sb.append("<tr data-row=\"").append(Html.escape(cost.label())).append("\" data-value=\"")
                    .append(cost.value()).append("\">")
                    .append(Html.cell("th", cost.label(), "style=\"" + Html.TEXT_STYLE + "\""))
                    .append(Html.cell("td", cost.text(), "style=\"" + Html.TEXT_STYLE + "\"")).append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    static String shapes(SpecFacts.Component c) {
        return c.perLayer() && !c.shapes().isEmpty() ? "per layer: " + c.shapes() : c.shapes();
    }

    static String percent(long part, long total) {
        return total == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * part / total);
    }

    /** The text form: choices, components and costs as aligned tables. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(spec.name()).append('\n');
        TextTable choices = new TextTable("choice", "value");
        SpecFacts.choices(spec).forEach(choices::row);
        sb.append(choices).append('\n');
        String defaulted = SpecFacts.defaulted(spec);
        if (!defaulted.isEmpty()) {
            sb.append(DEFAULTED).append(defaulted).append("\n\n");
        }
        long total = spec.parameterCount();
        TextTable components = new TextTable("component", ">parameters", ">share", "tensors (paper order)");
        for (SpecFacts.Component c : SpecFacts.components(spec)) {
            components.row(c.name(), Format.grouped(c.parameters()), percent(c.parameters(), total), shapes(c));
        }
        components.row("total", Format.grouped(total), "100%", "");
        sb.append(components).append('\n');
        TextTable costs = new TextTable("cost", "value");
        SpecFacts.costs(spec).forEach(cost -> costs.row(cost.label(), cost.text()));
        return sb.append(costs).toString().stripTrailing();
    }
}
