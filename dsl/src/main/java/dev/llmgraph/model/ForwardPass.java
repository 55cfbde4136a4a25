package dev.llmgraph.model;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;

import java.util.Collection;
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
            Map<String, NodeValue> nodes = new LinkedHashMap<>();
            readBack.forEach((name, t) -> nodes.put(name, new NodeValue(name, paperShape(t), t.toFloats())));
            return new Result(out, nodes);
        }
    }

    /** Nodes and tensors a graph of this model may need: generous, since an overflow is only an exception. */
    static int graphSize(Model model) {
        return 128 * model.spec().layers() + 256;
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
