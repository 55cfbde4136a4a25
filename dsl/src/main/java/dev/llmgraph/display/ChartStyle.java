package dev.llmgraph.display;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.title.LegendTitle;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

/**
 * One look for every chart: white background, light grid, a colour-blind-friendly qualitative palette (the
 * Tableau 10 colours) and the same font as the block diagrams.
 */
final class ChartStyle {
    static final Color[] SERIES = {
        new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2), new Color(0x59a14f),
        new Color(0xedc948), new Color(0xb07aa1), new Color(0xff9da7), new Color(0x9c755f), new Color(0xbab0ac)
    };
    static final String FONT = "DejaVu Sans";
    static final Color GRID = new Color(0xdddddd);

    private ChartStyle() {}

    static Color series(int i) {
        return SERIES[i % SERIES.length];
    }

    static Font font(int style, int size) {
        return new Font(FONT, style, size);
    }

    /** Applies the common look; call after the plot and legend exist. */
    static JFreeChart apply(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(font(Font.BOLD, 15));
        }
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setItemFont(font(Font.PLAIN, 12));
            legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        Plot plot = chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(new Color(0x999999));
        switch (plot) {
            case XYPlot xy -> {
                xy.setDomainGridlinePaint(GRID);
                xy.setRangeGridlinePaint(GRID);
                xy.setDomainGridlineStroke(new BasicStroke(0.8f));
                xy.setRangeGridlineStroke(new BasicStroke(0.8f));
                axisFonts(xy.getDomainAxis());
                axisFonts(xy.getRangeAxis());
            }
            case CategoryPlot cp -> {
                cp.setRangeGridlinePaint(GRID);
                cp.setRangeGridlineStroke(new BasicStroke(0.8f));
                axisFonts(cp.getDomainAxis());
                axisFonts(cp.getRangeAxis());
            }
            default -> { }
        }
        return chart;
    }

    private static void axisFonts(org.jfree.chart.axis.Axis axis) {
        axis.setLabelFont(font(Font.PLAIN, 13));
        axis.setTickLabelFont(font(Font.PLAIN, 11));
    }
}
