package dev.llmgraph.display;

import java.awt.Color;

/**
 * Colour maps for heatmaps.
 * <pre>
 *  SEQUENTIAL  low to high, dark violet to yellow (viridis' anchor colours): magnitudes, buckets, weights
 *  DIVERGING   blue through white to red, centred on 0: signed values such as sin/cos tables
 *  MASK        two colours: visible (1) and hidden (0) cells of an attention mask
 * </pre>
 * Cells whose value is NaN (not defined, such as a bias on a masked cell) are drawn in light grey.
 */
public enum Palette {
    SEQUENTIAL(new Color(0x440154), new Color(0x3b528b), new Color(0x21918c), new Color(0x5ec962),
            new Color(0xfde725)),
    DIVERGING(new Color(0x2166ac), new Color(0x92c5de), new Color(0xf7f7f7), new Color(0xf4a582),
            new Color(0xb2182b)),
    MASK(new Color(0xe6e6e6), new Color(0x2f6db5));

    /** The colour of undefined (NaN) cells. */
    public static final Color UNDEFINED = new Color(0xf4f4f4);

    private final Color[] anchors;

    Palette(Color... anchors) {
        this.anchors = anchors;
    }

    /** The colour of {@code value} on a scale from {@code low} to {@code high}. */
    public Color colour(double value, double low, double high) {
        if (Double.isNaN(value)) {
            return UNDEFINED;
        }
        double t = high > low ? (value - low) / (high - low) : 0.5;
        t = Math.max(0, Math.min(1, t));
        if (this == MASK) {
            return t >= 0.5 ? anchors[1] : anchors[0];
        }
        double position = t * (anchors.length - 1);
        int i = Math.min((int) position, anchors.length - 2);
        double f = position - i;
        Color a = anchors[i], b = anchors[i + 1];
        return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f),
                mix(a.getBlue(), b.getBlue(), f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
