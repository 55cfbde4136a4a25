package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.GgmlApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Misuse of native lifetimes and capacities (a full context, a full graph, data before allocation, use
 * after close) is refused with an IllegalStateException whose message says what to do, before ggml would
 * abort or read freed memory. Messages are asserted word for word; after each test the JVM still computes.
 */
class LifecycleValidationTest {
    private static void assertIllegalState(String message, Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertEquals(message, e.getMessage());
    }

    @AfterEach
    void jvmStillComputes() {
        StillComputes.assertStillComputes();
    }

    @Test
    void aFullContextRefusesAnotherTensor() {
        try (Context ctx = Context.create(2)) {
            int created = 0;
            IllegalStateException full = null;
            while (full == null && created < 100) {
                try {
                    ctx.newTensor(GgmlType.F32, 4);
                    created++;
                } catch (IllegalStateException e) {
                    full = e;
                }
            }
            assertTrue(created >= 2, "the context holds at least the 2 tensors asked for, held " + created);
            assertEquals("this context is full (" + created + " tensors); create it with more room: "
                    + "Context.create(maxTensors, maxGraphNodes)", full == null ? "no exception" : full.getMessage());
        }
    }

    @Test
    void aFullGraphRefusesMoreNodes() {
        try (Context ctx = Context.create(8, 2)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 4);
            Tensor b = ctx.newTensor("b", GgmlType.F32, 4);
            Tensor threeOps = ctx.sub(ctx.mul(ctx.add(a, b), b), a);
            Graph graph = ctx.newGraph(2);
            assertIllegalState("graph is full: it holds 2 nodes and leaves each, and this expand would bring it to "
                    + "3 nodes and 2 leaves; make it larger with newGraph(maxNodes)", () -> graph.expand(threeOps));
        }
    }

    @Test
    void aGraphLargerThanItsContextIsRefused() {
        try (Context ctx = Context.create(1)) {
            // Context.create(1) makes room for 1 + 4 tensors (its safety margin) and no graph.
            long left = 5 * GgmlApi.ggml_tensor_overhead();
            long needed = GgmlApi.ggml_graph_overhead_custom(1000, false);
            assertIllegalState("newGraph: this context has " + left + " bytes left but a graph of 1000 nodes needs "
                    + needed + "; create the context with Context.create(maxTensors, maxGraphNodes >= 1000)",
                    () -> ctx.newGraph(1000));
        }
    }

    @Test
    void dataCannotBeReadOrWrittenBeforeAllocation() {
        try (Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 4);
            assertIllegalState("tensor a f32 [4] has no memory yet, so it cannot read data: allocate its context on a "
                    + "backend (Context.allocate) or compute its graph first", a::toFloats);
            assertIllegalState("tensor a f32 [4] has no memory yet, so it cannot write data: allocate its context on a "
                    + "backend (Context.allocate) or compute its graph first", () -> a.setFloats(1, 2, 3, 4));
        }
    }

    @Test
    void tensorsAndGraphsCannotBeUsedAfterTheirContextCloses() {
        Context ctx = Context.create(4, Backends.GRAPH_NODES);
        Tensor a = ctx.newTensor("a", GgmlType.F32, 4);
        Graph graph = ctx.newGraph(Backends.GRAPH_NODES);
        ctx.close();
        String closed = "this ggml context was closed; its tensors and graphs are gone";
        assertIllegalState("tensor 'a' was freed with its ggml context, which was closed (a model's weights go when the "
                + "model is closed); read its values before closing", () -> a.ne(0));
        assertIllegalState(closed, () -> ctx.newTensor(GgmlType.F32, 4));
        assertIllegalState(closed, () -> graph.expand(a));
        assertIllegalState(closed, graph::nodeCount);
    }

    @Test
    void dataCannotBeReadAfterItsBufferCloses() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 4);
            Buffer buffer = ctx.allocate(cpu);
            a.setFloats(1, 2, 3, 4);
            buffer.close();
            assertIllegalState("the buffer that held tensor a f32 [4] was closed", a::toFloats);
            assertIllegalState("this buffer was closed", buffer::byteSize);
        }
    }

    @Test
    void aClosedBackendRefusesToCompute() {
        try (Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 4);
            Backend cpu = Backend.cpu(1);
            ctx.allocate(cpu);
            Graph graph = ctx.newGraph(Backends.GRAPH_NODES).expand(ctx.relu(a));
            cpu.close();
            assertIllegalState("backend CPU was closed", () -> cpu.compute(graph));
        }
    }
}
