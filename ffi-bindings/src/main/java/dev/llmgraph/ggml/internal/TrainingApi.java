package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to ggml's automatic differentiation and optimizer ops ({@code ggml.h}): parameter and loss
 * flags, the backward pass, gradients, cross-entropy and the AdamW step. Every one of them asserts (aborts
 * the process) on misuse, so {@code dev.llmgraph.ggml.Gradients} checks first.
 */
public final class TrainingApi {
    private TrainingApi() {}

    private static final SymbolLookup L = NativeLibraries.ggml();

    private static final NativeFunction SET_PARAM = Downcalls.quick(L, "ggml_set_param", fnVoid(PTR));
    private static final NativeFunction SET_LOSS = Downcalls.quick(L, "ggml_set_loss", fnVoid(PTR));
    private static final NativeFunction BUILD_BACKWARD = Downcalls.slow(L, "ggml_build_backward_expand",
            fnVoid(PTR, PTR, PTR));
    private static final NativeFunction GRAPH_GET_GRAD = Downcalls.quick(L, "ggml_graph_get_grad", fn(PTR, PTR, PTR));
    private static final NativeFunction GRAPH_RESET = Downcalls.slow(L, "ggml_graph_reset", fnVoid(PTR));
    private static final NativeFunction SUM = Downcalls.quick(L, "ggml_sum", fn(PTR, PTR, PTR));
    private static final NativeFunction CROSS_ENTROPY = Downcalls.quick(L, "ggml_cross_entropy_loss", fn(PTR, PTR, PTR, PTR));
    private static final NativeFunction GRAPH_GET_GRAD_ACC = Downcalls.quick(L, "ggml_graph_get_grad_acc",
            fn(PTR, PTR, PTR));
    private static final NativeFunction EXP = Downcalls.quick(L, "ggml_exp", fn(PTR, PTR, PTR));
    private static final NativeFunction SOFTPLUS = Downcalls.quick(L, "ggml_softplus", fn(PTR, PTR, PTR));
    private static final NativeFunction SCALE_BIAS = Downcalls.quick(L, "ggml_scale_bias",
            fn(PTR, PTR, PTR, Downcalls.FLOAT, Downcalls.FLOAT));
    private static final NativeFunction REPEAT_4D = Downcalls.quick(L, "ggml_repeat_4d",
            fn(PTR, PTR, PTR, Downcalls.INT64, Downcalls.INT64, Downcalls.INT64, Downcalls.INT64));
    private static final NativeFunction ADAMW = Downcalls.quick(L, "ggml_opt_step_adamw", fn(PTR, PTR, PTR, PTR, PTR, PTR, PTR));

    public static void ggml_set_param(MemorySegment tensor) {
        try { SET_PARAM.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_set_loss(MemorySegment tensor) {
        try { SET_LOSS.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_build_backward_expand(MemorySegment ctx, MemorySegment graph, MemorySegment gradAccs) {
        try { BUILD_BACKWARD.handle().invokeExact(ctx, graph, gradAccs); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_graph_get_grad(MemorySegment graph, MemorySegment node) {
        try { return (MemorySegment) GRAPH_GET_GRAD.handle().invokeExact(graph, node); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_graph_reset(MemorySegment graph) {
        try { GRAPH_RESET.handle().invokeExact(graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_sum(MemorySegment ctx, MemorySegment a) {
        try { return (MemorySegment) SUM.handle().invokeExact(ctx, a); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_cross_entropy_loss(MemorySegment ctx, MemorySegment logits, MemorySegment labels) {
        try { return (MemorySegment) CROSS_ENTROPY.handle().invokeExact(ctx, logits, labels); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_opt_step_adamw(MemorySegment ctx, MemorySegment a, MemorySegment grad,
                                                    MemorySegment m, MemorySegment v, MemorySegment params) {
        try { return (MemorySegment) ADAMW.handle().invokeExact(ctx, a, grad, m, v, params); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_graph_get_grad_acc(MemorySegment graph, MemorySegment node) {
        try { return (MemorySegment) GRAPH_GET_GRAD_ACC.handle().invokeExact(graph, node); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_exp(MemorySegment ctx, MemorySegment a) {
        try { return (MemorySegment) EXP.handle().invokeExact(ctx, a); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_softplus(MemorySegment ctx, MemorySegment a) {
        try { return (MemorySegment) SOFTPLUS.handle().invokeExact(ctx, a); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_scale_bias(MemorySegment ctx, MemorySegment a, float s, float b) {
        try { return (MemorySegment) SCALE_BIAS.handle().invokeExact(ctx, a, s, b); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_repeat_4d(MemorySegment ctx, MemorySegment a, long ne0, long ne1, long ne2,
                                               long ne3) {
        try { return (MemorySegment) REPEAT_4D.handle().invokeExact(ctx, a, ne0, ne1, ne2, ne3); } catch (Throwable t) { throw rethrow(t); }
    }
}
