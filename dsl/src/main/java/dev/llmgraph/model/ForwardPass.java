package dev.llmgraph.model;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ShapeTrace;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One graph over one batch: build, allocate with the scheduler, fill the inputs, compute, read back the
 * logits and any inspected nodes, free the graph's context.
 */
final class ForwardPass {
    private ForwardPass() {}

    /** What a pass produced. */
    record Result(Logits logits, Map<String, NodeValue> nodes) {}

    static Result run(Model model, KvCache cache, GraphBuilder.Batch batch, Collection<String> inspect) {
        int capacity = graphSize(model);
        try (Context ctx = Context.create(capacity, capacity)) {
            Graph graph = ctx.newGraph(capacity);
            GraphBuilder builder = new GraphBuilder(model.spec(), model.weights(), cache, ctx, graph, batch);
            Tensor logits = builder.build(cache);
            graph.expand(logits);
            Map<String, Tensor> readBack = new LinkedHashMap<>();
            for (String name : inspect) {
                Tensor node = builder.named.get(name);
                if (node == null) {
                    throw new IllegalArgumentException("this graph has no node named '" + name + "'; the names are "
                            + "those of the spec's shape trace, e.g. " + builder.named.keySet().stream().sorted()
                            .limit(6).toList());
                }
                Tensor readable = node.isContiguous() ? node : ctx.cont(node);
                readable.markOutput();
                graph.expand(readable);
                readBack.put(name, readable);
            }
            model.scheduler().allocate(graph);
            builder.inputs.fill();
            model.scheduler().compute(graph);
            int rows = batch.allLogits() ? batch.size() : 1;
            Logits out = new Logits(logits.toFloats(), rows, model.spec().vocabSize());
            Map<String, long[]> traced = new HashMap<>();
            for (ShapeTrace.Entry e : model.spec().accounting().shapeTrace(batch.size(), batch.start())) {
                traced.put(e.name(), e.shape());
            }
            Map<String, NodeValue> nodes = new LinkedHashMap<>();
            readBack.forEach((name, t) -> nodes.put(name, new NodeValue(name, shapeOf(traced.get(name), t),
                    t.toFloats())));
            return new Result(out, nodes);
        }
    }

    /** Nodes and tensors a graph of this model may need: generous, since an overflow is only an exception. */
    static int graphSize(Model model) {
        return 128 * model.spec().layers() + 256;
    }

    /**
     * The traced shape when it describes the tensor: ggml's shape drops trailing sizes of one (an MQA
     * model's single K/V head, a single token), which the trace, and so the reader's indices, keep.
     */
    private static long[] shapeOf(long[] traced, Tensor t) {
        return traced != null && Arrays.stream(traced).reduce(1, (a, b) -> a * b) == t.elementCount()
                ? traced : paperShape(t);
    }

    private static long[] paperShape(Tensor t) {
        long[] ne = t.shape();
        long[] out = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            out[i] = ne[ne.length - 1 - i];
        }
        return out;
    }
}
