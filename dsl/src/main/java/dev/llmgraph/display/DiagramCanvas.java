package dev.llmgraph.display;

/**
 * The drawing primitives of the block diagram: boxes, small "chips" inside a box, arrows, residual adds.
 * Every named element carries {@code data-node} (the graph's node name where there is one, such as
 * {@code attn_norm}), so a test or a reader of the SVG can find it. Frames are only drawn once their
 * contents are laid out (their height is known last), so they go to layers painted under the contents.
 */
final class DiagramCanvas {
    /** Fill and stroke per kind of element; the same hues as the notebooks' prose uses for each concept. */
    enum Kind {
        EMBEDDING("#dbe8fb", "#4a6fa5"),
        POSITIONAL("#ece3fa", "#7a5cb8"),
        NORM("#fff1c2", "#a67c00"),
        ATTENTION("#fde0dc", "#c0504d"),
        FFN("#dff2dd", "#4f8a4b"),
        MASK("#eeeeee", "#777777"),
        OUTPUT("#dbe8fb", "#4a6fa5");

        final String fill;
        final String stroke;

        Kind(String fill, String stroke) {
            this.fill = fill;
            this.stroke = stroke;
        }

        String cssClass() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final String INK = "#333333";
    static final String MUTED = "#666666";

    /** The block frame: drawn first, whenever it is written. */
    final SvgWriter back = new SvgWriter();
    /** Sublayer frames, above the block frame and below their chips. */
    final SvgWriter middle = new SvgWriter();
    final SvgWriter front = new SvgWriter();
    private final String arrowId;

    DiagramCanvas(String arrowId) {
        this.arrowId = arrowId;
    }

    /** A box with a bold title and an optional second line; returns its bottom edge. */
    double box(String node, Kind kind, double x, double y, double w, double h, String title, String subtitle,
               String tooltip) {
        front.open("g");
        if (tooltip != null) {
            front.title(tooltip);
        }
        front.empty("rect", "data-node", node, "class", kind.cssClass(), "x", x, "y", y, "width", w, "height", h,
                "rx", 6.0, "fill", kind.fill, "stroke", kind.stroke, "stroke-width", 1.2);
        boolean two = subtitle != null && !subtitle.isEmpty();
        double titleY = two ? y + h / 2 - 2 : y + h / 2 + 4.5;
        front.text(title, "x", x + w / 2, "y", titleY, "text-anchor", "middle", "font-size", 13.0,
                "font-weight", "bold", "fill", INK);
        if (two) {
            front.text(subtitle, "x", x + w / 2, "y", y + h / 2 + 12, "text-anchor", "middle", "font-size", 11.0,
                    "fill", MUTED);
        }
        front.close("g");
        return y + h;
    }

    /** A frame whose title and subtitle sit at its top (for boxes that hold chips); returns nothing. */
    void frame(String node, Kind kind, double x, double y, double w, double h, String title, String subtitle,
               String tooltip) {
        middle.open("g");
        if (tooltip != null) {
            middle.title(tooltip);
        }
        middle.empty("rect", "data-node", node, "class", kind.cssClass(), "x", x, "y", y, "width", w, "height", h,
                "rx", 8.0, "fill", kind.fill, "stroke", kind.stroke, "stroke-width", 1.2);
        middle.text(title, "x", x + w / 2, "y", y + 17, "text-anchor", "middle", "font-size", 13.0, "font-weight", "bold",
                "fill", INK);
        middle.text(subtitle, "x", x + w / 2, "y", y + 31, "text-anchor", "middle", "font-size", 11.0, "fill", MUTED);
        middle.close("g");
    }

    /** A small labelled step inside a frame, centred on {@code cx}; returns its bottom edge. */
    double chip(String node, Kind kind, double cx, double y, double w, String label) {
        double h = 20;
        front.empty("rect", "data-node", node, "class", "chip " + kind.cssClass(), "x", cx - w / 2, "y", y,
                "width", w, "height", h, "rx", 4.0, "fill", "#ffffff", "stroke", kind.stroke, "stroke-width", 1.0);
        front.text(label, "x", cx, "y", y + 14, "text-anchor", "middle", "font-size", 11.0, "fill", INK);
        return y + h;
    }

    /** A residual add: a circle with a plus; returns its bottom edge. */
    double add(String node, double cx, double cy) {
        front.empty("circle", "data-node", node, "class", "add", "cx", cx, "cy", cy, "r", 10.0, "fill", "#ffffff",
                "stroke", INK, "stroke-width", 1.2);
        front.text("+", "x", cx, "y", cy + 5, "text-anchor", "middle", "font-size", 15.0, "fill", INK);
        return cy + 10;
    }

    /** Where the residual stream forks off around a sublayer. */
    void fork(String node, double cx, double cy) {
        front.empty("circle", "data-node", node, "class", "fork", "cx", cx, "cy", cy, "r", 3.0, "fill", INK);
    }

    void arrow(double x1, double y1, double x2, double y2) {
        front.empty("line", "x1", x1, "y1", y1, "x2", x2, "y2", y2, "stroke", INK, "stroke-width", 1.2,
                "marker-end", "url(#" + arrowId + ")");
    }

    void line(double x1, double y1, double x2, double y2) {
        front.empty("line", "x1", x1, "y1", y1, "x2", x2, "y2", y2, "stroke", INK, "stroke-width", 1.2);
    }

    /** A polyline through {@code points} (x, y pairs), ending in an arrow head. */
    void path(String node, boolean dashed, double... points) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < points.length; i += 2) {
            d.append(i == 0 ? "M" : " L").append(SvgWriter.num(points[i])).append(',')
                    .append(SvgWriter.num(points[i + 1]));
        }
        front.empty("path", "data-node", node, "d", d.toString(), "fill", "none", "stroke", dashed ? MUTED : INK,
                "stroke-width", 1.2, "stroke-dasharray", dashed ? "5,3" : null, "marker-end", "url(#" + arrowId + ")");
    }

    /** A note in small type; {@code anchor} is start, middle or end. */
    void note(String node, String text, double x, double y, String anchor) {
        front.text(text, "data-node", node, "x", x, "y", y, "text-anchor", anchor, "font-size", 11.0, "fill", MUTED);
    }

    /** The whole drawing as an SVG document: the arrow head, then the layers from bottom to top. */
    String document(double width, double height, String description) {
        SvgWriter defs = new SvgWriter();
        defs.open("defs");
        defs.open("marker", "id", arrowId, "viewBox", "0 0 8 8", "refX", 7.0, "refY", 4.0, "markerWidth", 7.0,
                "markerHeight", 7.0, "orient", "auto-start-reverse");
        defs.empty("path", "d", "M0,0 L8,4 L0,8 z", "fill", INK);
        defs.close("marker");
        defs.close("defs");
        return SvgWriter.document(width, height, description, defs.body() + back.body() + middle.body() + front.body());
    }
}
