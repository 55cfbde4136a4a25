package dev.llmgraph.display;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A line chart, built fluently and drawn by JFreeChart:
 * <pre>{@code
 * Charts.line("tokens/s vs context length")
 *     .xLabel("context length").yLabel("tokens/s").logX()
 *     .x(128, 256, 512, 1024)
 *     .series("llmgraph", 410, 395, 370, 330)
 *     .series("llama.cpp", 420, 400, 380, 335)
 *     .render();
 * }</pre>
 * Series either share the x values given to {@link #x} or bring their own ({@link #series(String, double[],
 * double[])}, for loss curves logged at different steps).
 */
public final class LineChart {
    private record Series(String name, double[] xs, double[] ys) {}

    private final String title;
    private String xLabel = "x";
    private String yLabel = "y";
    private double[] sharedX;
    private boolean logX;
    private boolean logY;
    private boolean markers = true;
    private int width = 720;
    private int height = 420;
    private final List<Series> series = new ArrayList<>();

    LineChart(String title) {
        this.title = title;
    }

    public LineChart xLabel(String label) {
        this.xLabel = label;
        return this;
    }

    public LineChart yLabel(String label) {
        this.yLabel = label;
        return this;
    }

    /** The x values of every series added with {@link #series(String, double...)}. */
    public LineChart x(double... xs) {
        this.sharedX = xs.clone();
        return this;
    }

    public LineChart x(int... xs) {
        return x(Arrays.stream(xs).asDoubleStream().toArray());
    }

    /** A series over the shared x values. */
    public LineChart series(String name, double... ys) {
        if (sharedX == null) {
            throw new IllegalStateException("series '" + name + "' has no x values: call x(...) first, or give them "
                    + "with series(name, xs, ys)");
        }
        return series(name, sharedX, ys);
    }

    /** A series over the shared x values, from integer counts such as bytes or parameters. */
    public LineChart series(String name, long... ys) {
        return series(name, Arrays.stream(ys).asDoubleStream().toArray());
    }

    /** A series with its own x values. */
    public LineChart series(String name, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("series '" + name + "' has " + xs.length + " x values and " + ys.length
                    + " y values; they must match");
        }
        if (series.stream().anyMatch(s -> s.name().equals(name))) {
            throw new IllegalArgumentException("a series named '" + name + "' is already in chart '" + title + "'");
        }
        series.add(new Series(name, xs.clone(), ys.clone()));
        return this;
    }

    /** A logarithmic x axis (context lengths, sizes). */
    public LineChart logX() {
        this.logX = true;
        return this;
    }

    /** A logarithmic y axis (wavelengths, bytes). */
    public LineChart logY() {
        this.logY = true;
        return this;
    }

    /** Lines only, no point markers (for long series such as loss curves). */
    public LineChart lines() {
        this.markers = false;
        return this;
    }

    public LineChart size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    public Figure render() {
        if (series.isEmpty()) {
            throw new IllegalStateException("chart '" + title + "' has no series: add one with series(name, ys)");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.xs().length; i++) {
                checkPositive(logX, s, s.xs()[i], "x");
                checkPositive(logY, s, s.ys()[i], "y");
                xy.add(s.xs()[i], s.ys()[i]);
            }
            data.addSeries(xy);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, markers);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, ChartStyle.series(i));
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, axis(xLabel, logX, false), axis(yLabel, logY, true), renderer);
        JFreeChart chart = new JFreeChart(title, ChartStyle.font(java.awt.Font.BOLD, 15), plot, true);
        return new Figure(ChartStyle.apply(chart), width, height, true, text());
    }

    private static ValueAxis axis(String label, boolean log, boolean range) {
        if (log) {
            return logAxis(label);
        }
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(range);
        return axis;
    }

    /** A base-10 axis with ticks at whole powers only (10^3, not 10^3.5). */
    static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(1e-12);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return axis;
    }

    private void checkPositive(boolean log, Series s, double v, String axis) {
        if (log && !(v > 0)) {
            throw new IllegalArgumentException("series '" + s.name() + "' has " + axis + " = " + v
                    + ", which a logarithmic " + axis + " axis cannot show");
        }
    }

    /** The data as a table: one column per series when they share x, one row per point otherwise. */
    private String text() {
        boolean shared = series.stream().allMatch(s -> Arrays.equals(s.xs(), series.getFirst().xs()));
        StringBuilder sb = new StringBuilder(title).append('\n');
        if (shared) {
            List<String> headers = new ArrayList<>(List.of(">" + xLabel));
            series.forEach(s -> headers.add(">" + s.name()));
            TextTable table = new TextTable(headers.toArray(String[]::new));
            double[] xs = series.getFirst().xs();
            for (int i = 0; i < xs.length; i++) {
                String[] row = new String[series.size() + 1];
                row[0] = Format.decimal(xs[i]);
                for (int j = 0; j < series.size(); j++) {
                    row[j + 1] = Format.decimal(series.get(j).ys()[i]);
                }
                table.row(row);
            }
            sb.append(table);
        } else {
            TextTable table = new TextTable("series", ">" + xLabel, ">" + yLabel);
            for (Series s : series) {
                for (int i = 0; i < s.xs().length; i++) {
                    table.row(s.name(), Format.decimal(s.xs()[i]), Format.decimal(s.ys()[i]));
                }
            }
            sb.append(table);
        }
        return sb.toString().stripTrailing();
    }
}
