package dev.llmgraph.display;

import java.util.Map;
import java.util.Objects;

/** Shows values from any front end: {@code Display.show(spec)} in a notebook cell or a JShell script. */
public final class Display {
    private static final DisplaySink STDOUT = new DisplaySink() {
        @Override
        public void display(Map<String, String> bundle, String displayId) {
            System.out.println(bundle.getOrDefault("text/plain", ""));
        }

        @Override
        public void update(Map<String, String> bundle, String displayId) {
            display(bundle, displayId);
        }

        @Override
        public boolean supportsUpdates() {
            return false;
        }
    };

    private static volatile DisplaySink sink = STDOUT;

    private Display() {}

    /** Called by a front end (the Jupyter kernel) to receive everything shown. */
    public static void install(DisplaySink newSink) {
        sink = Objects.requireNonNull(newSink);
    }

    /** Back to plain text on standard output. */
    public static void reset() {
        sink = STDOUT;
    }

    public static DisplaySink sink() {
        return sink;
    }

    /** Shows {@code value}: its MIME bundle if it has one, its text otherwise. */
    public static void show(Object value) {
        sink.display(bundleOf(value), null);
    }

    /** The MIME bundle of any value. */
    public static Map<String, String> bundleOf(Object value) {
        if (value instanceof RichDisplay rich) {
            return rich.mimeBundle();
        }
        return Map.of("text/plain", String.valueOf(value));
    }
}
