package dev.llmgraph.display;

/**
 * Line and bar charts for notebooks and JShell, drawn by JFreeChart and shown as SVG (text tables in JShell).
 * <pre>{@code
 * Charts.line("tokens/s vs context").xLabel("context").yLabel("tokens/s")
 *     .x(128, 512, 2048).series("llmgraph", 410, 370, 300).render();
 * Charts.bar("parameters by component").categories("embedding", "attention", "ffn")
 *     .series("llama-2-7b", 131e6, 2147e6, 4329e6).render();
 * }</pre>
 * Charts computed from a spec (parameters by component, KV cache against kvHeads, RoPE wavelengths, ALiBi
 * slopes) are in {@link SpecCharts}; heatmaps in {@link Heatmaps}.
 */
public final class Charts {
    private Charts() {}

    public static LineChart line(String title) {
        return new LineChart(title);
    }

    public static BarChart bar(String title) {
        return new BarChart(title);
    }
}
