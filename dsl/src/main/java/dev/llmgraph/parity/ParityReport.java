package dev.llmgraph.parity;

import dev.llmgraph.display.Figure;
import dev.llmgraph.display.Palette;
import dev.llmgraph.display.RichDisplay;
import dev.llmgraph.display.Table;

import java.awt.Color;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * llmgraph against llama.cpp node by node, in the order llama.cpp computed the nodes: per matched node the
 * largest absolute and relative difference and a histogram of the element-wise differences; the first node
 * outside the tolerance; and the names of either side that have no counterpart. In a notebook a table coloured
 * by the relative difference ({@link #histogram(String)} draws one node's histogram); in JShell aligned text.
 *
 * @param gguf       the file both engines read
 * @param tokens     the token ids of the forward pass
 * @param tolerance  the largest relative difference that counts as agreeing
 * @param nodes      the matched nodes, in llama.cpp's order
 * @param unmatchedLlamaCpp  llama.cpp's names with no llmgraph node, each with the reason when there is
 *                           one: not in {@link NodeNames}' table, a name llmgraph's graph lacks, sizes that differ
 *                           (llama.cpp fuses chatglm's gate and up products), or an earlier step of a matched node
 * @param unmatchedLlmgraph  llmgraph's names no llama.cpp node was matched with
 */
public record ParityReport(Path gguf, int[] tokens, double tolerance, List<NodeDifference> nodes,
                           List<String> unmatchedLlamaCpp, List<String> unmatchedLlmgraph) implements RichDisplay {
    public ParityReport {
        tokens = tokens.clone();
        nodes = List.copyOf(nodes);
        unmatchedLlamaCpp = List.copyOf(unmatchedLlamaCpp);
        unmatchedLlmgraph = List.copyOf(unmatchedLlmgraph);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** The first node, in llama.cpp's order of computation, outside the tolerance. */
    public Optional<NodeDifference> firstExceeding() {
        return nodes.stream().filter(NodeDifference::exceeds).findFirst();
    }

    /** Whether every matched node is within the tolerance. */
    public boolean agrees() {
        return firstExceeding().isEmpty();
    }

    /** The matched node with this llama.cpp or llmgraph name. */
    public NodeDifference node(String name) {
        return nodes.stream().filter(n -> n.llamaCppName().equals(name) || n.llmgraphName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no matched node is named '" + name + "'; matched: "
                        + nodes.stream().map(NodeDifference::llamaCppName).toList()));
    }

    /** The histogram of one node's element-wise differences, as a chart. */
    public Figure histogram(String name) {
        NodeDifference node = node(name);
        return node.histogram().chart(node.llamaCppName() + " ~ " + node.llmgraphName());
    }

    /** One line: how many nodes agree, and where the first difference is. */
    public String verdict() {
        return firstExceeding().map(n -> "first node beyond the tolerance " + fmt(tolerance) + ": " + n)
                .orElse("all " + nodes.size() + " matched nodes agree within " + fmt(tolerance));
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/html", html(), "text/plain", toString());
    }

    /** A table coloured by the relative difference (log scale, from 1e-8 to 100 times the tolerance). */
    public String html() {
        String cell = "padding:1px 8px;";
        StringBuilder sb = new StringBuilder("<div class=\"llmgraph-parity\">\n<p style=\"font-weight:bold\">")
                .append(escape(caption())).append("</p>\n<p>").append(escape(verdict())).append("</p>\n")
                .append("<table style=\"border-collapse:collapse;font-size:13px\">\n<tr>");
        for (String h : List.of("llama.cpp", "llmgraph", "ne (llama.cpp layout)", "max |diff|", "relative",
                "differences (decades of the node's scale)")) {
            sb.append("<th style=\"").append(cell).append("text-align:left\">").append(escape(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (NodeDifference n : nodes) {
            Color colour = colour(n);
            sb.append("<tr><td style=\"").append(cell).append("\">").append(escape(n.llamaCppName()))
                    .append("</td><td style=\"").append(cell).append("\">").append(escape(n.llmgraphName()))
                    .append("</td><td style=\"").append(cell).append("font-family:monospace\">")
                    .append(Arrays.toString(n.ne())).append("</td><td style=\"").append(cell)
                    .append("text-align:right;font-family:monospace\">").append(fmt(n.maxAbs()))
                    .append("</td><td style=\"").append(cell).append("text-align:right;font-family:monospace;")
                    .append(String.format("background:#%06x;color:%s", colour.getRGB() & 0xffffff,
                            brightness(colour) < 140 ? "white" : "black"))
                    .append("\">").append(fmt(n.relative())).append("</td><td style=\"").append(cell).append("\">")
                    .append(escape(n.histogram().toString()))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
        sb.append("<p>unmatched llama.cpp nodes: ").append(escape(listed(unmatchedLlamaCpp)))
                .append("<br>unmatched llmgraph nodes: ").append(escape(listed(unmatchedLlmgraph))).append("</p>\n")
                .append("<p style=\"font-size:12px\">report.histogram(\"NAME\") draws a node's histogram.</p>\n</div>\n");
        return sb.toString();
    }

    @Override
    public String toString() {
        Table table = Table.of("llama.cpp", "llmgraph", "ne (llama.cpp layout)", "max |diff|", "relative", "within",
                "differences (decades of the node's scale)");
        for (NodeDifference n : nodes) {
            table.row(n.llamaCppName(), n.llmgraphName(), Arrays.toString(n.ne()), n.maxAbs(), n.relative(),
                    n.exceeds() ? "NO" : "yes", n.histogram().toString());
        }
        String rows = table.toString();
        return caption() + "\n" + verdict() + "\n" + rows + (rows.endsWith("\n") ? "" : "\n")
                + "unmatched llama.cpp nodes: " + listed(unmatchedLlamaCpp) + "\nunmatched llmgraph nodes: "
                + listed(unmatchedLlmgraph) + "\n";
    }

    private String caption() {
        return "layer-by-layer parity of " + gguf.getFileName() + " over " + tokens.length + " tokens (relative = "
                + "max |diff| / the node's largest |value| in llama.cpp; sizes in ggml order, llama.cpp's layout)";
    }

    private Color colour(NodeDifference n) {
        if (Double.isNaN(n.relative())) {
            return new Color(0xb2182b);
        }
        double low = Math.log10(1e-8), high = Math.log10(tolerance * 100);
        return Palette.DIVERGING.colour(Math.log10(Math.max(n.relative(), 1e-12)), low, high);
    }

    private static double brightness(Color c) {
        return 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
    }

    private static String listed(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String fmt(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);
    }
}
