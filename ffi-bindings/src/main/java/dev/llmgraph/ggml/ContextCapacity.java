package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.GgmlApi;

/**
 * The bytes of a {@link Context}'s arena, counted in Java: ggml aborts the process when a context runs out
 * of memory for a tensor description or a graph, so every tensor and graph reserves its room here first
 * and a full context throws, with words, instead.
 */
final class ContextCapacity {
    private final long capacity;
    private final long tensorOverhead;
    private long used;

    ContextCapacity(long tensors, long graphNodes) {
        this.tensorOverhead = GgmlApi.ggml_tensor_overhead();
        // Room for a few tensors more than asked, so that the check below is conservative.
        this.capacity = (tensors + 4) * tensorOverhead
                + (graphNodes > 0 ? GgmlApi.ggml_graph_overhead_custom(graphNodes, true) : 0); // room for gradients too
    }

    /** The size of the arena to ask ggml for. */
    long bytes() {
        return capacity;
    }

    /** Room for {@code tensors} more tensor descriptions. */
    void reserveTensors(int tensors) {
        if (used + (tensors + 1L) * tensorOverhead > capacity) {
            throw new IllegalStateException("this context is full (" + used / tensorOverhead + " tensors); create it "
                    + "with more room: Context.create(maxTensors, maxGraphNodes)");
        }
        used += tensors * tensorOverhead;
    }

    /** Room for a graph of up to {@code maxNodes} nodes, with room for their gradients if asked. */
    void reserveGraph(int maxNodes, boolean gradients) {
        if (maxNodes < 1) {
            throw new IllegalArgumentException("a graph needs room for at least one node, got " + maxNodes);
        }
        long bytes = GgmlApi.ggml_graph_overhead_custom(maxNodes, gradients);
        if (used + bytes > capacity) {
            throw new IllegalStateException("newGraph: this context has " + (capacity - used) + " bytes left but a "
                    + "graph of " + maxNodes + " nodes needs " + bytes + "; create the context with "
                    + "Context.create(maxTensors, maxGraphNodes >= " + maxNodes + ")");
        }
        used += bytes;
    }
}
