package dev.llmgraph.model;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.model.lower.CrossAttentionCache;
import dev.llmgraph.model.lower.EncoderDecoderLowering;
import dev.llmgraph.model.lower.KvCache;

/**
 * A decoder session's graph for one new token, built once and reused for every step, with only its inputs refilled
 * (the token, its position, the mask and bucket rows): its shape (one token over the whole self-attention cache and
 * all encoder positions) does not change from step to step. It is reused while it holds the model's compute memory;
 * once another graph (an encoding, another session's step) has been allocated, it is rebuilt, since its intermediate
 * tensors kept the addresses they got.
 */
final class DecoderStepGraph implements AutoCloseable {
    private final EncoderDecoderModel model;
    private final Context ctx;
    private final Graph graph;
    private final EncoderDecoderLowering.Built built;
    private long allocation = -1;

    DecoderStepGraph(EncoderDecoderModel model, Context ctx, Graph graph, EncoderDecoderLowering.Built built) {
        this.model = model;
        this.ctx = ctx;
        this.graph = graph;
        this.built = built;
    }

    static DecoderStepGraph build(EncoderDecoderModel model, KvCache self, CrossAttentionCache cross) {
        return model.stepGraph(self, cross);
    }

    /** Whether the graph can run again: never allocated yet, or still holding the compute memory. */
    boolean reusable() {
        return allocation < 0 || model.stillAllocated(allocation);
    }

    /** The logits of token {@code id} at {@code position}. */
    Logits run(int id, int position) {
        try (ConcurrentUseGuard.Use use = model.use("decoderSession.feed()")) {
            if (allocation < 0) {
                allocation = model.allocate(graph);
            } else if (!model.stillAllocated(allocation)) {
                throw new IllegalStateException("this decoder graph lost its compute memory to another graph; build a "
                        + "new one");
            }
            built.fill(new int[] {id}, position);
            return new Logits(model.computeAndRead(graph, built.output()), 1, model.spec().vocabSize());
        }
    }

    @Override
    public void close() {
        ctx.close();
    }
}
