package dev.llmgraph.display;

import dev.llmgraph.spec.ShapeTrace;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A spec's shape trace as a table: node name, shape in the paper's order, what the node computes. */
public record ShapeTraceView(ShapeTrace trace) implements RichDisplay {
    @Override
    public Map<String, String> mimeBundle() {
        StringBuilder sb = new StringBuilder("<div class=\"llmgraph-shapes\">\n<div style=\"font-weight:bold\">")
                .append(Html.escape(title())).append("</div>\n<table style=\"").append(Html.TABLE_STYLE).append("\">\n")
                .append(Html.headerRow(List.of("node", "shape", "what")));
        for (ShapeTrace.Entry e : trace.entries()) {
            sb.append("<tr>").append(Html.cell("td", e.name(), "style=\"" + Html.TEXT_STYLE + ";font-family:monospace\""))
                    .append(Html.cell("td", Arrays.toString(e.shape()), "style=\"" + Html.NUMBER_STYLE + "\""))
                    .append(Html.cell("td", e.what(), "style=\"" + Html.TEXT_STYLE + "\"")).append("</tr>\n");
        }
        sb.append("</table>\n</div>\n");
        return Map.of("text/html", sb.toString(), "text/plain", toString());
    }

    private String title() {
        return "shape trace of " + trace.model() + " for " + trace.tokens() + " tokens (paper order)";
    }

    @Override
    public String toString() {
        TextTable table = new TextTable("node", ">shape", "what");
        for (ShapeTrace.Entry e : trace.entries()) {
            table.row(e.name(), Arrays.toString(e.shape()), e.what());
        }
        return title() + "\n" + table.toString().stripTrailing();
    }
}
