package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * ggml's backend scheduler: runs each node of a graph on the first backend in the list that supports it
 * and holds its weights, copying tensors between backends where needed, with the compute memory
 * allocated once for the largest graph seen. llama.cpp computes models the same way.
 *
 * <p>With a GPU first in the list, the CPU's share of the compute memory, which holds the graph's inputs
 * (token ids, positions, masks), is the GPU's pinned host memory, as in llama.cpp: the scheduler's copies of
 * the inputs to the GPU then run without the driver's staging copy. {@code -Dllmgraph.pinnedHost=false} keeps
 * it in ordinary memory (for measuring the difference).
 */
public final class Scheduler implements AutoCloseable {
    private final MemorySegment sched;
    private final List<Backend> backends;
    private final Arena arena = Arena.ofShared();
    private final HostStaging staging;
    private boolean closed;

    /**
     * @param backends  in priority order; the last must be the CPU backend
     * @param graphSize the largest graph (in nodes) this scheduler will see
     */
    public Scheduler(List<Backend> backends, int graphSize) {
        if (backends.isEmpty() || !backends.getLast().isCpu()) {
            throw new IllegalArgumentException("a scheduler needs a list of backends that ends with the CPU backend, got "
                    + backends);
        }
        this.backends = List.copyOf(backends);
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, backends.size());
        for (int i = 0; i < backends.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, backends.get(i).handle());
        }
        var pinned = Boolean.parseBoolean(System.getProperty("llmgraph.pinnedHost", "true"))
                ? backends.getFirst().hostBufferType() : java.util.Optional.<BufferType>empty();
        MemorySegment bufferTypes = arena.allocate(ValueLayout.ADDRESS, backends.size());
        for (int i = 0; i < backends.size(); i++) {
            Backend b = backends.get(i);
            bufferTypes.setAtIndex(ValueLayout.ADDRESS, i, b.isCpu() && pinned.isPresent()
                    ? pinned.get().handle() : b.defaultBufferType().handle());
        }
        this.staging = pinned.map(HostStaging::new).orElse(null);
        // With RPC servers, the scheduler runs as llama.cpp's does with several devices: pipelined, its copies
        // between devices asynchronous and ordered by events instead of a wait for every device after every piece
        // (-Dllmgraph.rpc.pipelined=false turns it off, to measure the difference).
        boolean pipelined = backends.stream().anyMatch(b -> b.remote().isPresent())
                && Boolean.parseBoolean(System.getProperty("llmgraph.rpc.pipelined", "true"));
        this.sched = BackendApi.ggml_backend_sched_new(array, bufferTypes, backends.size(), graphSize, pipelined, true);
        if (Downcalls.isNull(sched)) {
            throw new GgmlException("could not create a scheduler for " + backends);
        }
    }

    /** Sizes the compute buffers for {@code graph} (the largest one expected) without running it. */
    public void reserve(Graph graph) {
        checkRemotes();
        if (!BackendApi.ggml_backend_sched_reserve(handle(), graph.handle())) {
            throw new GgmlException("could not reserve compute memory for a graph of " + graph.nodeCount()
                    + " nodes on " + backends);
        }
    }

    /**
     * Allocates {@code graph}'s intermediate tensors. After this, the graph's input tensors have memory and
     * can be filled; then call {@link #compute(Graph)}.
     */
    public void allocate(Graph graph) {
        checkRemotes();
        for (int i = 0, n = graph.nodeCount(); i < n; i++) {
            Tensor node = graph.node(i);
            if (backends.stream().noneMatch(b -> b.supports(node))) {
                throw new UnsupportedOperationException("no backend of " + backends + " can run op " + node.op()
                        + " for " + node.describe());
            }
            // ggml places the node on the first backend that says it can run it; where that is a GPU with a
            // known missing kernel, say so here rather than let the GPU abort the process.
            for (Backend b : backends) {
                if (b.supports(node)) {
                    String gap = KernelGaps.problem(node, b);
                    if (gap != null) {
                        throw new UnsupportedOperationException(gap);
                    }
                    break;
                }
            }
        }
        BackendApi.ggml_backend_sched_reset(handle());
        if (!BackendApi.ggml_backend_sched_alloc_graph(handle(), graph.handle())) {
            throw new GgmlException("could not allocate a graph of " + graph.nodeCount() + " nodes on " + backends
                    + " (out of memory?)");
        }
    }

    /** Computes a graph allocated with {@link #allocate(Graph)}. */
    public void compute(Graph graph) {
        checkRemotes();
        backends.getLast().run(() -> BackendApi.ggml_backend_sched_graph_compute(handle(), graph.handle()), "graph");
    }

    /**
     * Computes a graph allocated with {@link #allocate(Graph)} and returns the values of {@code output}, an
     * F32 tensor of it. Where the output is on a GPU, its copy into pinned host memory is queued behind the
     * graph and both are waited for once ({@link HostStaging}).
     */
    public float[] computeAndRead(Graph graph, Tensor output) {
        Backend holder = holderOf(output);
        if (staging == null || holder == null || holder.isCpu() || output.type() != GgmlType.F32
                || !output.isContiguous()) {
            compute(graph);
            return output.toFloats();
        }
        checkRemotes();
        long count = output.elementCount();
        MemorySegment room = staging.room(count);
        backends.getLast().run(() -> {
            int status = BackendApi.ggml_backend_sched_graph_compute_async(handle(), graph.handle());
            if (status == 0) {
                BackendApi.ggml_backend_tensor_get_async(holder.handle(), output.pointer(), room, 0, room.byteSize());
            }
            BackendApi.ggml_backend_sched_synchronize(handle());
            return status;
        }, "graph");
        return staging.read(count);
    }

    /** The backend the scheduler ran {@code node} on in the last graph, or null if it is not one of its nodes. */
    private Backend holderOf(Tensor node) {
        MemorySegment b = BackendApi.ggml_backend_sched_get_tensor_backend(handle(), node.pointer());
        for (Backend backend : backends) {
            if (!Downcalls.isNull(b) && backend.handle().address() == b.address()) {
                return backend;
            }
        }
        return null;
    }

    /** Throws, naming the server, when a remote backend's RPC server has gone: before ggml's client aborts on it. */
    private void checkRemotes() {
        backends.forEach(Backend::checkReachable);
    }

    /** Number of pieces the last graph was split into (one per change of backend). */
    public int splits() {
        return BackendApi.ggml_backend_sched_get_n_splits(handle());
    }

    /** Compute memory held for {@code backend}, in bytes. */
    public long computeBytes(Backend backend) {
        return BackendApi.ggml_backend_sched_get_buffer_size(handle(), backend.handle());
    }

    public List<Backend> backends() {
        return backends;
    }

    private MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("this scheduler was closed");
        }
        return sched;
    }

    @Override
    public void close() {
        if (!closed) {
            // Freeing the compute memory on an RPC server that has gone would abort in ggml's client; then the
            // scheduler, and its local compute memory, stay allocated until the process ends.
            if (backends.stream().noneMatch(b -> b.remote().map(RpcServers::lost).orElse(false))) {
                BackendApi.ggml_backend_sched_free(sched);
            }
            if (staging != null) {
                staging.close();
            }
            arena.close();
            closed = true;
        }
    }
}
