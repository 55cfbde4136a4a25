package dev.llmgraph.spec;

/**
 * A set of layers that repeats with a period: layer i belongs to it when {@code i % every == offset}. A mixture of
 * experts routes on these layers and keeps its dense FFN on the others ({@link Moe#withSparseEvery}).
 * <pre>
 *  every 1, offset 0    S S S S S S S S    every layer (Mixtral, Qwen-MoE)
 *  every 2, offset 1    D S D S D S D S    every other layer, starting with the second (Jamba)
 * </pre>
 *
 * @param every  the period, at least 1
 * @param offset the index within each period of the layer that belongs, 0 .. every - 1
 */
public record LayerPeriod(int every, int offset) {

    /** Every layer. */
    public static LayerPeriod everyLayer() {
        return new LayerPeriod(1, 0);
    }

    /** Whether this is every layer. */
    public boolean allLayers() {
        return every == 1 && offset == 0;
    }

    /** Whether layer {@code layer} belongs. */
    public boolean picks(int layer) {
        return every >= 1 && layer % every == offset;
    }

    @Override
    public String toString() {
        return allLayers() ? "every layer" : "layers " + offset + ", " + (offset + every) + ", ... (every " + every
                + ")";
    }
}
