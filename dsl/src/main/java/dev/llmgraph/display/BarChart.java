package dev.llmgraph.display;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bar chart (grouped when there are several series), built fluently and drawn by JFreeChart:
 * <pre>{@code
 * Charts.bar("KV cache at 4096 tokens")
 *     .categories("MHA 32", "GQA 8", "MQA 1")
 *     .series("MiB", 2048, 512, 64)
 *     .yLabel("MiB")
 *     .render();
 * }</pre>
 */
public final class BarChart {
    private final String title;
    private List<String> categories;
    private final Map<String, double[]> series = new LinkedHashMap<>();
    private String xLabel = "";
    private String yLabel = "";
    private boolean horizontal;
    private boolean logY;
    private int width = 720;
    private int height = 420;

    BarChart(String title) {
        this.title = title;
    }

    public BarChart categories(String... categories) {
        return categories(List.of(categories));
    }

    public BarChart categories(List<String> categories) {
        this.categories = List.copyOf(categories);
        return this;
    }

    /** One value per category. */
    public BarChart series(String name, double... values) {
        if (categories == null) {
            throw new IllegalStateException("series '" + name + "' needs categories: call categories(...) first");
        }
        if (values.length != categories.size()) {
            throw new IllegalArgumentException("series '" + name + "' has " + values.length + " values for "
                    + categories.size() + " categories " + categories);
        }
        if (series.putIfAbsent(name, values.clone()) != null) {
            throw new IllegalArgumentException("a series named '" + name + "' is already in chart '" + title + "'");
        }
        return this;
    }

    /** One count per category (parameters, bytes). */
    public BarChart series(String name, long... values) {
        return series(name, Arrays.stream(values).asDoubleStream().toArray());
    }

    public BarChart xLabel(String label) {
        this.xLabel = label;
        return this;
    }

    public BarChart yLabel(String label) {
        this.yLabel = label;
        return this;
    }

    /** Bars grow to the right, categories read down the side (long category names). */
    public BarChart horizontal() {
        this.horizontal = true;
        return this;
    }

    /** A logarithmic value axis, for values that span orders of magnitude. */
    public BarChart logY() {
        this.logY = true;
        return this;
    }

    public BarChart size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    public Figure render() {
        if (series.isEmpty()) {
            throw new IllegalStateException("chart '" + title + "' has no series: add one with series(name, values)");
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        series.forEach((name, values) -> {
            for (int i = 0; i < values.length; i++) {
                if (logY && !(values[i] > 0)) {
                    throw new IllegalArgumentException("series '" + name + "' has " + values[i] + " for '"
                            + categories.get(i) + "', which a logarithmic axis cannot show");
                }
                data.addValue(values[i], name, categories.get(i));
            }
        });
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, ChartStyle.series(i));
        }
        CategoryAxis categoryAxis = new CategoryAxis(xLabel);
        if (!horizontal && categories.stream().mapToInt(String::length).sum() > width / 9) {
            categoryAxis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        ValueAxis valueAxis = logY ? LineChart.logAxis(yLabel) : new NumberAxis(yLabel);
        if (logY) {
            // Bars grow from a base, 0 by default, which a log axis cannot show: without a base and a range of
            // their own, the axis ran down to its smallest value (1e-12) and the bars were slivers at the top.
            double min = series.values().stream().flatMapToDouble(java.util.Arrays::stream).min().orElse(1);
            double max = series.values().stream().flatMapToDouble(java.util.Arrays::stream).max().orElse(1);
            double lower = Math.pow(10, Math.floor(Math.log10(min)));
            double upper = Math.max(Math.pow(10, Math.ceil(Math.log10(max))), lower * 10);
            valueAxis.setRange(lower, upper);
            renderer.setBase(lower);
            renderer.setIncludeBaseInRange(false);
        }
        CategoryPlot plot = new CategoryPlot(data, categoryAxis, valueAxis, renderer);
        plot.setOrientation(horizontal ? PlotOrientation.HORIZONTAL : PlotOrientation.VERTICAL);
        JFreeChart chart = new JFreeChart(title, ChartStyle.font(java.awt.Font.BOLD, 15), plot, series.size() > 1);
        return new Figure(ChartStyle.apply(chart), width, height, true, text());
    }

    private String text() {
        List<String> headers = new ArrayList<>(List.of(xLabel.isEmpty() ? "category" : xLabel));
        series.keySet().forEach(name -> headers.add(">" + name));
        TextTable table = new TextTable(headers.toArray(String[]::new));
        for (int i = 0; i < categories.size(); i++) {
            String[] row = new String[series.size() + 1];
            row[0] = categories.get(i);
            int j = 1;
            for (double[] values : series.values()) {
                row[j++] = values[i] == Math.rint(values[i]) && Math.abs(values[i]) < 1e15
                        ? Format.grouped((long) values[i]) : Format.decimal(values[i]);
            }
            table.row(row);
        }
        return (title + "\n" + table).stripTrailing();
    }
}
