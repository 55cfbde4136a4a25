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

    /**
     * Rows a cache keeps for a layer that slides, when it holds {@code positions} positions in all and its batches
     * write at most {@code batch} at a time: the window and one batch, rounded up to a multiple of 256 rows as
     * llama.cpp's iswa cache (n_swa + n_ubatch, padded), and never more than {@code positions}. Used as a ring (the
     * position p in row p mod rows), that is enough: the rows a batch overwrites hold positions that no query of
     * the batch sees.
     */
    public int cacheRows(int positions, int batch) {
        long ring = ((long) size + batch + CACHE_ROW_PADDING - 1) / CACHE_ROW_PADDING * CACHE_ROW_PADDING;
        return (int) Math.min(positions, ring);
    }

    /** Sliding layers' cache rows come in multiples of this (ggml-cuda's flash attention reads keys 256 at a time). */
    public static final int CACHE_ROW_PADDING = 256;

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
