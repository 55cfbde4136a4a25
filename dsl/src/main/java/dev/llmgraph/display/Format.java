package dev.llmgraph.display;

import java.util.Locale;

/** Number formats shared by the views, independent of the machine's locale. */
final class Format {
    private Format() {}

    /** 6738415616 as "6,738,415,616". */
    static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes in the largest binary unit that keeps the number at least 1: "512 B", "64.0 KiB", "2.00 GiB". */
    static String bytes(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s", value,
                units[unit]);
    }

    /** A double without needless digits: 10000.0 as "10000", 1e-5 as "1.0E-5", 2.8284 as "2.83". */
    static String decimal(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Math.abs(v) < 1e-3) {
            return Double.toString(v);
        }
        return String.format(Locale.ROOT, "%.3g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    /** FLOPs as "13.5 GFLOP". */
    static String flops(long flops) {
        if (flops >= 1_000_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f TFLOP", flops / 1e12);
        }
        if (flops >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f GFLOP", flops / 1e9);
        }
        return String.format(Locale.ROOT, "%.2f MFLOP", flops / 1e6);
    }
}
