package dev.llmgraph.display;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.ShapeTrace;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Shows values from any front end: {@code Display.show(spec)} in a notebook cell or a JShell script.
 * <p>
 * A value shows as its own MIME bundle when it is a {@link RichDisplay}; otherwise a renderer registered for
 * its type turns it into one (a {@link ModelSpec} shows as {@link Views#summary}, a {@link ShapeTrace} as a
 * table), so the spec and other data types stay free of display code. Anything else shows as its text.
 */
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

    private record Renderer<T>(Class<T> type, Function<? super T, ? extends RichDisplay> render) {
        RichDisplay apply(Object value) {
            return render.apply(type.cast(value));
        }
    }

    /** Newest first, so a registration overrides an earlier one for the same or a wider type. */
    private static final List<Renderer<?>> RENDERERS = new CopyOnWriteArrayList<>();

    static {
        register(ShapeTrace.class, Views::shapes);
        register(ModelSpec.class, Views::summary);
    }

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

    /**
     * Makes values of {@code type} (and its subtypes) show through {@code renderer}; the newest registration
     * for a type wins. For example {@code Display.register(NodeValue.class, Heatmaps::node)}.
     */
    public static <T> void register(Class<T> type, Function<? super T, ? extends RichDisplay> renderer) {
        RENDERERS.addFirst(new Renderer<>(Objects.requireNonNull(type), Objects.requireNonNull(renderer)));
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
        if (value != null) {
            for (Renderer<?> r : RENDERERS) {
                if (r.type().isInstance(value)) {
                    return r.apply(value).mimeBundle();
                }
            }
        }
        return Map.of("text/plain", String.valueOf(value));
    }
}
