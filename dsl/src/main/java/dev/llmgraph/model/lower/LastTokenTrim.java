package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * In the last block, when only the last token's logits are wanted, everything after the sequence mixer
 * needs only the last token: its column of a [d, T] tensor. (The mixer itself still reads every token's
 * keys and values.) llama.cpp trims the same way; for a 512-token prompt it skips the last block's FFN for
 * 511 tokens. One trim per layer: it starts trimming once the layer's mixer is lowered, and gives each
 * tensor one view, however often it is asked.
 */
final class LastTokenTrim {
    /** A trim that never trims: every block but the last, and the steps outside blocks. */
    static final LastTokenTrim NONE = new LastTokenTrim(null, false);

    private final Context ctx;
    private final boolean enabled;
    private final Map<Tensor, Tensor> views = new IdentityHashMap<>();
    private boolean mixed;

    private LastTokenTrim(Context ctx, boolean enabled) {
        this.ctx = ctx;
        this.enabled = enabled;
    }

    /** The trim of layer {@code layer} for a graph of shape {@code shape} in a model of {@code layers} layers. */
    static LastTokenTrim of(Context ctx, GraphBuilder.Shape shape, int layer, int layers) {
        boolean enabled = layer == layers - 1 && !shape.allLogits() && shape.tokens() != 1;
        return enabled ? new LastTokenTrim(ctx, true) : NONE;
    }

    /** Called once the layer's sequence mixer is in the graph. */
    void mixed() {
        if (enabled) {
            mixed = true;
        }
    }

    /** {@code t} [d, T], or after the mixer in a trimmed layer its last column [d, 1]. */
    Tensor apply(Tensor t) {
        if (!enabled || !mixed || t.ne(1) == 1) {
            return t;
        }
        return views.computeIfAbsent(t, full -> ctx.view(full, new long[] {full.ne(0), 1}, new long[] {full.nb(1)},
                (full.ne(1) - 1) * full.nb(1)));
    }
}
