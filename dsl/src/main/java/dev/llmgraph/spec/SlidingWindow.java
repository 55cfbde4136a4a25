package dev.llmgraph.spec;

/**
 * Sliding-window attention: a layer that slides sees only the last {@code size} positions (itself and
 * {@code size - 1} before it). In a prefix decoder the window also bounds how far the prefix sees ahead:
 * |q - k| &lt; size.
 *
 * @param size        the window W (Mistral-7B: 4096, Gemma 2: 4096)
 * @param globalEvery 0: every layer slides (Mistral); n: every n-th layer (layers n-1, 2n-1, ...) is
 *                    global and the others slide (Gemma 2 alternates: n = 2)
 */
public record SlidingWindow(int size, int globalEvery) {
    /** Every layer slides with window {@code size}. */
    public static SlidingWindow everyLayer(int size) {
        return new SlidingWindow(size, 0);
    }

    /** Every {@code n}-th layer is global, the others slide. */
    public static SlidingWindow withGlobalEvery(int size, int n) {
        return new SlidingWindow(size, n);
    }

    /** Whether layer {@code layer} (0-based) slides. */
    public boolean slides(int layer) {
        return globalEvery == 0 || layer % globalEvery != globalEvery - 1;
    }

    @Override
    public String toString() {
        return "window " + size + (globalEvery == 0 ? " on every layer" : ", every " + globalEvery
                + (globalEvery == 2 ? "nd" : globalEvery == 3 ? "rd" : "th") + " layer global");
    }
}
