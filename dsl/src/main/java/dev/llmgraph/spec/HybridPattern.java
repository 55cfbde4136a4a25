package dev.llmgraph.spec;

/**
 * Which layers of a recurrent stack (linear attention, or a Mamba state space) use the spec's softmax attention
 * instead: layer i does when {@code i % softmaxEvery == offset}, every other layer uses the recurrent mixer. Softmax
 * layers keep a KV cache that grows with the context; recurrent layers a fixed state.
 * <pre>
 *  softmaxEvery(4)              L L L A L L L A ...     1 softmax layer per 3 linear ones (the last of each 4)
 *  softmaxEvery(8).withOffset(4) M M M M A M M M ...    Jamba: Mamba, with attention on layers 4, 12, 20, 28
 * </pre>
 * With Mamba every layer also has the spec's FFN (or its experts, where the mixture of experts routes), as Jamba's
 * blocks do: {@code x = x + Mixer(Norm(x)); x = x + FFN(Norm(x))}.
 *
 * @param softmaxEvery the period of the pattern, at least 2 (1 would leave no recurrent layer)
 * @param offset       the softmax layer's index within each period, 0 .. softmaxEvery - 1
 */
public record HybridPattern(int softmaxEvery, int offset) {

    /** Softmax attention on every {@code n}-th layer (layers n - 1, 2n - 1, ...), the recurrent mixer elsewhere. */
    public static HybridPattern softmaxEvery(int n) {
        if (n < 2) {
            throw new IllegalArgumentException(problem(n).toString());
        }
        return new HybridPattern(n, n - 1);
    }

    /** The same period with the softmax layer at index {@code offset} of each period. */
    public HybridPattern withOffset(int offset) {
        return new HybridPattern(softmaxEvery, offset);
    }

    /** Whether layer {@code layer} uses softmax attention. */
    public boolean softmax(int layer) {
        return softmaxEvery >= 1 && layer % softmaxEvery == offset;
    }

    static SpecProblem problem(int softmaxEvery) {
        return new SpecProblem("hybrid.softmaxEvery", softmaxEvery, "must be at least 2: with 1 every layer is "
                + "softmax attention and no recurrent layer is left", "drop the linear attention or Mamba for a "
                + "softmax-only stack, or use e.g. HybridPattern.softmaxEvery(4)");
    }

    @Override
    public String toString() {
        return "softmax attention on layers " + offset + ", " + (offset + softmaxEvery) + ", ... (every "
                + softmaxEvery + "), the recurrent mixer elsewhere";
    }
}
