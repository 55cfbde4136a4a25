package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.GgmlApi;
import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * A computation graph: the ops needed to produce the tensors passed to {@link #expand}, in order.
 * It lives in the memory of the {@link Context} that created it.
 */
public final class Graph {
    private final Context owner;
    private final MemorySegment graph;
    private final int capacity;
    private final boolean gradients;
    // Mirrors ggml's visited set, so that expand() can refuse before ggml would run out of room and abort.
    private final Set<Long> visited = new HashSet<>();
    private int nodes;
    private int leaves;

    Graph(Context owner, MemorySegment graph, int capacity, boolean gradients) {
        this.owner = owner;
        this.graph = graph;
        this.capacity = capacity;
        this.gradients = gradients;
    }

    /** Adds {@code tensor} and everything it depends on. Returns this graph. */
    public Graph expand(Tensor tensor) {
        owner.ensureOpen();
        countNew(tensor.pointer());
        GgmlApi.ggml_build_forward_expand(graph, tensor.pointer());
        return this;
    }

    private void countNew(MemorySegment root) {
        int newNodes = 0, newLeaves = 0;
        Set<Long> seen = new HashSet<>();
        ArrayDeque<MemorySegment> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            MemorySegment t = TensorStruct.wrap(stack.pop());
            long address = t.address();
            if (visited.contains(address) || !seen.add(address)) {
                continue;
            }
            if (TensorStruct.op(t) == 0) {
                newLeaves++;
            } else {
                newNodes++;
            }
            for (int i = 0; i < TensorStruct.MAX_SRC; i++) {
                MemorySegment src = TensorStruct.src(t, i);
                if (!Downcalls.isNull(src)) {
                    stack.push(src);
                }
            }
        }
        if (nodes + newNodes > capacity || leaves + newLeaves > capacity) {
            throw new IllegalStateException("graph is full: it holds " + capacity + " nodes and leaves each, and "
                    + "this expand would bring it to " + (nodes + newNodes) + " nodes and " + (leaves + newLeaves)
                    + " leaves; make it larger with newGraph(maxNodes)");
        }
        visited.addAll(seen);
        nodes += newNodes;
        leaves += newLeaves;
    }

    /** Number of op nodes (leaves such as weights and inputs are not counted). */
    public int nodeCount() {
        owner.ensureOpen();
        return GgmlApi.ggml_graph_n_nodes(graph);
    }

    /** Node {@code i} in execution order; negative counts from the end. */
    public Tensor node(int i) {
        int n = nodeCount();
        if (i < -n || i >= n) {
            throw new IndexOutOfBoundsException("node " + i + " of a graph with " + n + " nodes");
        }
        return new Tensor(owner, GgmlApi.ggml_graph_node(graph, i));
    }

    /** The node named {@code name}, or null. */
    public Tensor find(String name) {
        for (int i = 0, n = nodeCount(); i < n; i++) {
            Tensor t = node(i);
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public Context context() {
        return owner;
    }

    /** Nodes (and leaves) this graph has room for. */
    public int capacity() {
        return capacity;
    }

    /** Whether the graph can hold a backward pass ({@link Context#newTrainingGraph}). */
    public boolean holdsGradients() {
        return gradients;
    }

    MemorySegment handle() {
        owner.ensureOpen();
        return graph;
    }
}
