package dev.llmgraph.display;

import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * A rendered chart or heatmap: SVG or PNG for notebooks, a text table for JShell. Line and bar charts show
 * as SVG (sharp at any zoom, text searchable), heatmaps as PNG, whose size does not grow with the number of
 * cells. Both forms are always available through {@link #svg()} and {@link #png()}.
 */
public final class Figure implements RichDisplay {
    private final JFreeChart chart;
    private final int width;
    private final int height;
    private final boolean vector;
    private final String text;

    Figure(JFreeChart chart, int width, int height, boolean vector, String text) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("a figure needs a positive size, got " + width + " x " + height);
        }
        this.chart = chart;
        this.width = width;
        this.height = height;
        this.vector = vector;
        this.text = text;
    }

    /** The JFreeChart behind the figure, for styling beyond what llmgraph offers. */
    public JFreeChart chart() {
        return chart;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The same figure at another size. */
    public Figure withSize(int width, int height) {
        return new Figure(chart, width, height, vector, text);
    }

    /** The figure as an SVG element. */
    public String svg() {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        return g.getSVGElement();
    }

    /** The figure as a PNG file's bytes. */
    public byte[] png() {
        return png(null);
    }

    /** Renders to a PNG and records where the plot area landed (tests read pixels at known cells). */
    byte[] png(ChartRenderingInfo info) {
        return encode(image(info));
    }

    BufferedImage image(ChartRenderingInfo info) {
        return chart.createBufferedImage(width, height, info);
    }

    private static byte[] encode(BufferedImage image) {
        try {
            return ChartUtils.encodeAsPNG(image);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the figure as PNG", e);
        }
    }

    /** Writes the figure to {@code file}: SVG for a name ending in .svg, PNG for .png. */
    public Path save(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".svg")) {
                Files.writeString(file, svg());
            } else if (name.endsWith(".png")) {
                Files.write(file, png());
            } else {
                throw new IllegalArgumentException("save a figure as .svg or .png, not '" + file.getFileName() + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }

    @Override
    public Map<String, String> mimeBundle() {
        return vector ? SvgBundle.of(svg(), text)
                : Map.of("image/png", Base64.getEncoder().encodeToString(png()), "text/plain", text);
    }

    @Override
    public String toString() {
        return text;
    }
}
