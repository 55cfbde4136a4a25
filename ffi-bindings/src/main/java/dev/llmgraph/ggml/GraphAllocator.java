package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;

import java.lang.foreign.MemorySegment;

/** ggml's graph allocator for one backend: places a graph's intermediate tensors, reusing memory. */
final class GraphAllocator implements AutoCloseable {
    private final MemorySegment galloc;
    private final Backend backend;

    GraphAllocator(Backend backend) {
        this.backend = backend;
        this.galloc = BackendApi.ggml_gallocr_new(backend.defaultBufferType().handle());
        if (Downcalls.isNull(galloc)) {
            throw new GgmlException("could not create a graph allocator for " + backend.name());
        }
    }

    void allocate(Graph graph) {
        if (!BackendApi.ggml_gallocr_alloc_graph(galloc, graph.handle())) {
            throw new GgmlException("could not allocate the graph's tensors on " + backend.name() + " (out of memory?)");
        }
    }

    long bufferBytes() {
        return BackendApi.ggml_gallocr_get_buffer_size(galloc, 0);
    }

    @Override
    public void close() {
        BackendApi.ggml_gallocr_free(galloc);
    }
}
