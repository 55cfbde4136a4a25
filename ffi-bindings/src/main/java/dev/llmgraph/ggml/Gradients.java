package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.TensorStruct;
import dev.llmgraph.ggml.internal.TrainingApi;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass of a graph, by ggml's automatic differentiation: after {@link #build}, computing the
 * graph with {@link Backend#compute(Graph, Gradients)} also leaves in {@link #of(Tensor)} the gradient of the
 * loss ({@link Tensor#markLoss()}) with respect to every parameter ({@link Tensor#markParameter()}).
 *
 * <p>ggml aborts the process when asked to differentiate an op it has no gradient for, so {@link #build}
 * walks the graph first, as ggml will, and names any such op: a lowering for training must then be built
 * from ops that have one.
 */
public final class Gradients {
    /** Ops ggml's backward pass differentiates ({@code ggml_compute_backward}), by {@code ggml_op_desc}. */
    static final Set<String> DIFFERENTIABLE = Set.of("DUP", "ADD", "ADD1", "ACC", "SUB", "MUL", "DIV", "SQR",
            "SQRT", "LOG", "SIN", "COS", "SUM", "SUM_ROWS", "MEAN", "REPEAT", "REPEAT_BACK", "RMS_NORM", "MUL_MAT",
            "SCALE", "SET", "CPY", "CONT", "RESHAPE", "VIEW", "PERMUTE", "TRANSPOSE", "GET_ROWS", "DIAG_MASK_INF",
            "DIAG_MASK_ZERO", "SOFT_MAX", "ROPE", "IM2COL", "POOL_2D", "WIN_PART", "WIN_UNPART", "ABS", "SGN", "NEG",
            "STEP", "RELU", "SILU", "EXP", "EXPM1", "SOFTPLUS", "CROSS_ENTROPY_LOSS", "SWIGLU");
    /** Backward tensors ggml may create per forward node, at most (a conservative count for the context). */
    private static final int TENSORS_PER_NODE = 12;
    private static final int FLAG_PARAM = 4, FLAG_LOSS = 8;

    private final Graph graph;
    private final Tensor loss;
    private final Map<Tensor, Tensor> gradients;

    private Gradients(Graph graph, Tensor loss, Map<Tensor, Tensor> gradients) {
        this.graph = graph;
        this.loss = loss;
        this.gradients = gradients;
    }

    /**
     * Adds the backward pass to {@code graph} (made by {@link Context#newTrainingGraph}, holding the loss
     * and the parameters), creating its tensors in {@code graph}'s context.
     */
    public static Gradients build(Graph graph) {
        Context ctx = graph.context();
        if (!graph.holdsGradients()) {
            throw new IllegalArgumentException("this graph has no room for gradients; make it with "
                    + "Context.newTrainingGraph(maxNodes)");
        }
        int n = graph.nodeCount();
        List<Tensor> parameters = new ArrayList<>();
        Tensor loss = null;
        Set<Long> needsGradient = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Tensor node = graph.node(i);
            int flags = TensorStruct.flags(node.pointer());
            if ((flags & FLAG_PARAM) != 0) {
                parameters.add(node);
            }
            if ((flags & FLAG_LOSS) != 0) {
                loss = node;
            }
            if (node.type() == GgmlType.I32) {
                continue;
            }
            boolean needed = (flags & (FLAG_PARAM | FLAG_LOSS)) != 0 || readsGradient(node, needsGradient);
            if (needed) {
                requireDifferentiable(node);
                requireKnownSourceGradients(node, needsGradient);
                needsGradient.add(node.pointer().address());
            }
        }
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("this graph has no trainable parameter; mark the weights to train "
                    + "with Tensor.markParameter() before expanding the graph");
        }
        if (loss == null) {
            throw new IllegalArgumentException("this graph has no loss; mark the scalar to minimise with "
                    + "Tensor.markLoss() and expand the graph with it");
        }
        if (graph.capacity() < 4 * n + 16) {
            throw new IllegalArgumentException("the backward pass needs room for up to " + (4 * n + 16) + " nodes "
                    + "and this graph has " + graph.capacity() + "; make it with Context.newTrainingGraph(" + (4 * n + 16)
                    + ")");
        }
        ctx.reserve(TENSORS_PER_NODE * n);
        TrainingApi.ggml_build_backward_expand(ctx.handle(), graph.handle(), MemorySegment.NULL);
        Map<Tensor, Tensor> gradients = new LinkedHashMap<>();
        for (Tensor p : parameters) {
            MemorySegment g = TrainingApi.ggml_graph_get_grad(graph.handle(), p.pointer());
            if (!Downcalls.isNull(g)) {
                // A gradient that flowed back through a permute is a view; give it the parameter's layout.
                Tensor gradient = new Tensor(ctx, g);
                if (!gradient.isContiguous()) {
                    gradient = ctx.cont(gradient);
                    graph.expand(gradient);
                }
                gradients.put(p, gradient.markOutput());
            }
        }
        return new Gradients(graph, loss, gradients);
    }

    /** Whether a source of {@code node} that gradients flow through needs a gradient. */
    private static boolean readsGradient(Tensor node, Set<Long> needsGradient) {
        String op = node.op();
        for (int j = 0; j < TensorStruct.MAX_SRC; j++) {
            MemorySegment src = TensorStruct.src(node.pointer(), j);
            boolean ignored = (j == 1 && Set.of("CPY", "GET_ROWS", "GET_ROWS_BACK", "ROPE").contains(op))
                    || (j == 0 && Set.of("IM2COL", "IM2COL_BACK", "SGN", "STEP").contains(op));
            if (!Downcalls.isNull(src) && !ignored && needsGradient.contains(src.address())) {
                Tensor s = new Tensor(node.context(), src);
                Shapes.require(s.type() == GgmlType.F32 || s.type() == GgmlType.F16, "backward",
                        "gradients flow only through f32 and f16 tensors, and " + op + " reads a " + s.type()
                                + " one on the way from a parameter to the loss", node, s);
                return true;
            }
        }
        return false;
    }

    /**
     * ggml differentiates some ops only with respect to some of their sources, or only with some settings,
     * and aborts otherwise: a learned bias in a softmax mask, ALiBi's slopes inside soft_max (its CPU backward
     * asserts max_bias == 0), learned RoPE frequency factors, learned labels, a fused (not split) SwiGLU.
     */
    private static void requireKnownSourceGradients(Tensor node, Set<Long> needsGradient) {
        String op = node.op();
        String problem = null;
        if (op.equals("SOFT_MAX") && needsGradient(node, 1, needsGradient)) {
            problem = "a softmax mask that depends on a parameter; add the bias to the logits and give soft_max no mask";
        } else if (op.equals("SOFT_MAX") && TensorStruct.opParamFloat(node.pointer(), 1) != 0f) {
            problem = "soft_max with ALiBi's max_bias; add the per-head biases to the logits (or bake them into the "
                    + "mask) and give soft_max max_bias 0";
        } else if (op.equals("ROPE") && needsGradient(node, 2, needsGradient)) {
            problem = "RoPE frequency factors that depend on a parameter; keep them constant";
        } else if (op.equals("CROSS_ENTROPY_LOSS") && needsGradient(node, 1, needsGradient)) {
            problem = "cross-entropy labels that depend on a parameter; the labels must be data";
        } else if (op.equals("SWIGLU") && Downcalls.isNull(TensorStruct.src(node.pointer(), 1))) {
            problem = "a fused SwiGLU; use the split form glu(SWIGLU, gate, up)";
        }
        if (problem != null) {
            throw new UnsupportedOperationException("backward: ggml has no gradient for " + problem + " (node '"
                    + node.name() + "')");
        }
    }

    private static boolean needsGradient(Tensor node, int source, Set<Long> needsGradient) {
        MemorySegment src = TensorStruct.src(node.pointer(), source);
        return !Downcalls.isNull(src) && needsGradient.contains(src.address());
    }

    private static void requireDifferentiable(Tensor node) {
        String op = node.op();
        boolean parameter = (TensorStruct.flags(node.pointer()) & FLAG_PARAM) != 0 && "NONE".equals(op);
        if (!parameter && !DIFFERENTIABLE.contains(op)) {
            throw new UnsupportedOperationException("backward: ggml has no gradient for " + op + " (node '"
                    + node.name() + "'); build this part from ops that have one, or keep it out of the path from "
                    + "the parameters to the loss");
        }
        boolean view = !Downcalls.isNull(TensorStruct.viewSource(node.pointer()));
        if (view && !Set.of("CPY", "SET_ROWS", "VIEW", "RESHAPE", "PERMUTE", "TRANSPOSE").contains(op)) {
            throw new UnsupportedOperationException("backward: " + op + " (node '" + node.name() + "') works in "
                    + "place, which ggml cannot differentiate; use the op's ordinary form");
        }
    }

    /** The gradient of the loss with respect to {@code parameter}: a tensor of its shape, readable after compute. */
    public Tensor of(Tensor parameter) {
        Tensor g = gradients.get(parameter);
        if (g == null) {
            throw new IllegalArgumentException("no gradient for " + parameter.describe() + ": it is not a parameter of "
                    + "this graph, or the loss does not depend on it");
        }
        return g;
    }

    /**
     * Whether ggml's backward pass computes a gradient for {@code tensor} (a parameter, or a node on the way to
     * one). A frozen weight reads false: ggml made no op for its gradient, so none is computed.
     */
    public boolean flowsTo(Tensor tensor) {
        return !Downcalls.isNull(TrainingApi.ggml_graph_get_grad(graph.handle(), tensor.pointer()));
    }

    /** The parameters, in graph order. */
    public List<Tensor> parameters() {
        return List.copyOf(gradients.keySet());
    }

    public Tensor loss() {
        return loss;
    }

    Graph graph() {
        return graph;
    }

    /**
     * Starts a step: the loss's own gradient 1. The parameters' gradients are recomputed by every pass (no
     * accumulator holds them), and optimizer moments in the graph are left as they are, so a graph with its
     * optimizer step computes one training step per call. Needs the graph allocated.
     */
    void reset() {
        if (!loss.hasData()) {
            throw new IllegalStateException("the graph must be allocated before its gradients are reset");
        }
        MemorySegment seed = TrainingApi.ggml_graph_get_grad_acc(graph.handle(), loss.pointer());
        new Tensor(graph.context(), seed).setFloats(new float[] {1f});
    }
}
