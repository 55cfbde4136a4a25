package dev.llmgraph.display;

import java.awt.Color;
import java.util.List;
import java.util.Locale;

/**
 * A strip of boxes, one per layer of a model in order (the input, layer 0 ... n-1, the output), each coloured by
 * the device that holds it, with a legend: where a split model's layers live, at a glance.
 */
public final class PlacementDiagram {
    private static final int BOX = 22, GAP = 2, LEFT = 10, TOP = 10, LEGEND = 18;

    private PlacementDiagram() {}

    /**
     * @param units   labels of the boxes in order, e.g. "in", "0", ..., "out"
     * @param device  for each box, the index of its device in {@code devices}
     * @param devices the devices' names, e.g. "CPU (this process)", "RPC0 (10.0.0.2:50052)"
     */
    public static String svg(List<String> units, int[] device, List<String> devices) {
        if (units.size() != device.length) {
            throw new IllegalArgumentException(units.size() + " boxes but " + device.length + " device indices");
        }
        int width = LEFT * 2 + units.size() * (BOX + GAP);
        int height = TOP + BOX + 14 + devices.size() * LEGEND + 6;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"%s\" font-size=\"10\">%n",
                Math.max(width, 320), height, ChartStyle.FONT));
        for (int i = 0; i < units.size(); i++) {
            int x = LEFT + i * (BOX + GAP);
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                    + "<title>%s: %s</title></rect>%n", x, TOP, BOX, BOX, hex(ChartStyle.series(device[i])),
                    Html.escape(units.get(i)), Html.escape(devices.get(device[i]))));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#ffffff\">%s"
                    + "</text>%n", x + BOX / 2, TOP + BOX / 2 + 4, Html.escape(units.get(i))));
        }
        for (int d = 0; d < devices.size(); d++) {
            int y = TOP + BOX + 14 + d * LEGEND;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, y, hex(ChartStyle.series(d)), LEFT + 18, y + 10,
                    Html.escape(devices.get(d))));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%06x", c.getRGB() & 0xffffff);
    }
}
