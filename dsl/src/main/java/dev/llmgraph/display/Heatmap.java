package dev.llmgraph.display;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.util.Locale;
import java.util.Map;

/**
 * A matrix drawn as coloured cells, row 0 at the top (like an attention matrix: query rows, key columns).
 * Drawn by JFreeChart's block renderer and shown as PNG (an SVG would need about 500 bytes per cell;
 * {@code render().svg()} still gives one). The values stay
 * readable: {@link #value(int, int)}, and the text form prints small matrices cell by cell.
 * <pre>{@code
 * Heatmap.of("my matrix", values).rows("query").columns("key").palette(Palette.DIVERGING)
 * }</pre>
 */
public final class Heatmap implements RichDisplay {
    /** Up to this many columns the text form prints every cell. */
    private static final int MAX_TEXT_COLUMNS = 32;

    private final String title;
    private final double[][] values;
    private final String rowLabel;
    private final String columnLabel;
    private final String valueLabel;
    private final Palette palette;
    private final double low;
    private final double high;

    private Heatmap(String title, double[][] values, String rowLabel, String columnLabel, String valueLabel,
                    Palette palette, double low, double high) {
        this.title = title;
        this.values = values;
        this.rowLabel = rowLabel;
        this.columnLabel = columnLabel;
        this.valueLabel = valueLabel;
        this.palette = palette;
        this.low = low;
        this.high = high;
    }

    /** A heatmap of {@code values[row][column]} on a sequential palette spanning the values' range. */
    public static Heatmap of(String title, double[][] values) {
        if (values.length == 0 || values[0].length == 0) {
            throw new IllegalArgumentException("heatmap '" + title + "' needs at least one row and one column");
        }
        double[][] copy = new double[values.length][];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < values.length; r++) {
            if (values[r].length != values[0].length) {
                throw new IllegalArgumentException("heatmap '" + title + "': row " + r + " has " + values[r].length
                        + " values, row 0 has " + values[0].length);
            }
            copy[r] = values[r].clone();
            for (double v : values[r]) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            min = 0;
            max = 1;
        }
        return new Heatmap(title, copy, "row", "column", "value", Palette.SEQUENTIAL, min, max);
    }

    public Heatmap withTitle(String title) {
        return new Heatmap(title, values, rowLabel, columnLabel, valueLabel, palette, low, high);
    }

    public Heatmap rows(String label) {
        return new Heatmap(title, values, label, columnLabel, valueLabel, palette, low, high);
    }

    public Heatmap columns(String label) {
        return new Heatmap(title, values, rowLabel, label, valueLabel, palette, low, high);
    }

    /** The name of the values, shown on the colour bar. */
    public Heatmap valueLabel(String label) {
        return new Heatmap(title, values, rowLabel, columnLabel, label, palette, low, high);
    }

    /** Another palette; DIVERGING also centres the range on 0. */
    public Heatmap palette(Palette palette) {
        if (palette == Palette.DIVERGING) {
            double m = Math.max(Math.abs(low), Math.abs(high));
            return new Heatmap(title, values, rowLabel, columnLabel, valueLabel, palette, -m, m);
        }
        return new Heatmap(title, values, rowLabel, columnLabel, valueLabel, palette, low, high);
    }

    /** A fixed value range (to compare several heatmaps on one scale). */
    public Heatmap range(double low, double high) {
        if (!(high > low)) {
            throw new IllegalArgumentException("range needs low < high, got " + low + " and " + high);
        }
        return new Heatmap(title, values, rowLabel, columnLabel, valueLabel, palette, low, high);
    }

    public String title() {
        return title;
    }

    public int rowCount() {
        return values.length;
    }

    public int columnCount() {
        return values[0].length;
    }

    public double value(int row, int column) {
        return values[row][column];
    }

    /** The colour cell ({@code row}, {@code column}) is drawn in. */
    public java.awt.Color colour(int row, int column) {
        return palette.colour(values[row][column], low, high);
    }

    public Palette palette() {
        return palette;
    }

    /** The figure, shown as PNG. */
    public Figure render() {
        int rows = rowCount(), columns = columnCount();
        DefaultXYZDataset data = new DefaultXYZDataset();
        int n = rows * columns;
        double[] xs = new double[n], ys = new double[n], zs = new double[n];
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++, i++) {
                xs[i] = c;
                ys[i] = r;
                zs[i] = values[r][c];
            }
        }
        data.addSeries(title, new double[][] {xs, ys, zs});
        PaintScale scale = new PaletteScale(palette, low, high);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, integerAxis(columnLabel, columns, false), integerAxis(rowLabel, rows, true),
                renderer);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        JFreeChart chart = new JFreeChart(title, ChartStyle.font(Font.BOLD, 15), plot, false);
        if (palette == Palette.MASK) {
            LegendItemCollection items = new LegendItemCollection();
            items.add(swatch("visible (1)", palette.colour(1, 0, 1)));
            items.add(swatch("hidden (0)", palette.colour(0, 0, 1)));
            plot.setFixedLegendItems(items);
            LegendTitle legend = new LegendTitle(plot);
            legend.setPosition(RectangleEdge.BOTTOM);
            chart.addLegend(legend);
        } else {
            NumberAxis bar = new NumberAxis(valueLabel);
            bar.setTickLabelFont(ChartStyle.font(Font.PLAIN, 11));
            bar.setLabelFont(ChartStyle.font(Font.PLAIN, 12));
            PaintScaleLegend legend = new PaintScaleLegend(scale, bar);
            legend.setPosition(RectangleEdge.RIGHT);
            legend.setStripWidth(14);
            legend.setMargin(new RectangleInsets(30, 8, 30, 4));
            legend.setFrame(BlockBorder.NONE);
            legend.setSubdivisionCount(128);
            chart.addSubtitle(legend);
        }
        ChartStyle.apply(chart);
        // Anti-aliasing blurs cell edges into thin seams; text keeps its own anti-aliasing.
        chart.setAntiAlias(false);
        int side = Math.max(360, Math.min(560, 12 * Math.max(rows, columns)));
        return new Figure(chart, side + 130, side + 70, false, text());
    }

    @Override
    public Map<String, String> mimeBundle() {
        return render().mimeBundle();
    }

    private static NumberAxis integerAxis(String label, int cells, boolean inverted) {
        NumberAxis axis = new NumberAxis(label);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        axis.setRange(-0.5, cells - 0.5);
        axis.setInverted(inverted);
        axis.setLowerMargin(0);
        axis.setUpperMargin(0);
        return axis;
    }

    private static LegendItem swatch(String label, Paint paint) {
        LegendItem item = new LegendItem(label, paint);
        item.setShape(new Rectangle(0, 0, 12, 12));
        return item;
    }

    /** JFreeChart's view of a palette over a range. */
    private record PaletteScale(Palette palette, double low, double high) implements PaintScale {
        @Override
        public double getLowerBound() {
            return low;
        }

        @Override
        public double getUpperBound() {
            return high;
        }

        @Override
        public Paint getPaint(double value) {
            return palette.colour(value, low, high);
        }
    }

    /** Small matrices cell by cell (masks as '#' and '.'), large ones as their size and range. */
    private String text() {
        int rows = rowCount(), columns = columnCount();
        StringBuilder sb = new StringBuilder(title).append("  (").append(rows).append(" ").append(rowLabel)
                .append(" rows x ").append(columns).append(" ").append(columnLabel).append(" columns)\n");
        if (columns > MAX_TEXT_COLUMNS || rows > 2 * MAX_TEXT_COLUMNS) {
            return sb.append(String.format(Locale.ROOT, "values from %s to %s", Format.decimal(low),
                    Format.decimal(high))).toString();
        }
        String[][] cells = new String[rows][columns];
        int width = 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double v = values[r][c];
                cells[r][c] = Double.isNaN(v) ? "." : palette == Palette.MASK ? (v >= 0.5 ? "#" : ".")
                        : Format.decimal(v);
                width = Math.max(width, cells[r][c].length());
            }
        }
        int labelWidth = Integer.toString(rows - 1).length();
        for (int r = 0; r < rows; r++) {
            StringBuilder line = new StringBuilder(String.format("%" + labelWidth + "d |", r));
            for (int c = 0; c < columns; c++) {
                line.append(' ').append(" ".repeat(width - cells[r][c].length())).append(cells[r][c]);
            }
            sb.append(line).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public String toString() {
        return text();
    }
}
