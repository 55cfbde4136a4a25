package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A long CPU computation stops early, with a Java exception, when {@link Backend#interrupt()} is called
 * or when the computing thread is interrupted (what a notebook's stop button does), and the backend
 * computes correctly afterwards. The graph is a chain of 3000 products of 256 x 256 matrices (about
 * 100 GFLOP, seconds on two cores); the interrupt comes after 50 ms.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class InterruptTest {
    private static final int LINKS = 3000;

    @Test
    void backendInterruptStopsAComputation() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Backend cpu = Backend.cpu(2); Context ctx = Context.create(LINKS + 8, LINKS + 8)) {
            Graph graph = longChain(ctx, cpu);
            timer.schedule(cpu::interrupt, 50, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            ComputeInterruptedException e = assertThrows(ComputeInterruptedException.class, () -> cpu.compute(graph));
            assertEquals("the graph computation on CPU was interrupted", e.getMessage());
            assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the computation stopped");
            StillComputes.assertStillComputes();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void interruptingTheComputingThreadStopsAComputation() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Thread computing = Thread.currentThread();
        try (Backend cpu = Backend.cpu(2); Context ctx = Context.create(LINKS + 8, LINKS + 8)) {
            Graph graph = longChain(ctx, cpu);
            timer.schedule(computing::interrupt, 50, TimeUnit.MILLISECONDS);
            assertThrows(ComputeInterruptedException.class, () -> cpu.compute(graph));
            assertFalse(Thread.currentThread().isInterrupted(), "the exception takes the interrupt, as "
                    + "InterruptedException does, so the thread can go on");
            cpu.compute(ctx.newGraph(4).expand(ctx.scale(ctx.tensors().getFirst(), 1f)));
        } finally {
            timer.shutdownNow();
            Thread.interrupted();
        }
    }

    /**
     * ggml-cuda has no per-node abort hook: a stop asked for while a CUDA graph runs (here: before it starts,
     * so the test does not race the GPU) is reported when the graph ends, and the backend computes afterwards.
     */
    @Test
    void aCudaComputationReportsAnInterruptWhenItsGraphEnds() {
        assumeTrue(Backend.cudaAvailable(), "no CUDA device: CUDA tests skipped");
        try (Backend cuda = Backend.cuda(); Context ctx = Context.create(LINKS + 8, LINKS + 8)) {
            Graph graph = longChain(ctx, cuda);
            Thread.currentThread().interrupt();
            ComputeInterruptedException e = assertThrows(ComputeInterruptedException.class, () -> cuda.compute(graph));
            assertEquals("the graph computation on CUDA0 was interrupted", e.getMessage());
            assertFalse(Thread.currentThread().isInterrupted(), "the exception takes the interrupt");
            cuda.compute(graph);
        } finally {
            Thread.interrupted();
        }
    }

    private static Graph longChain(Context ctx, Backend backend) {
        Tensor w = ctx.newTensor(GgmlType.F32, 256, 256);
        Tensor x = ctx.newTensor(GgmlType.F32, 256, 256);
        ctx.allocate(backend);
        float[] values = new float[256 * 256];
        for (int i = 0; i < 256; i++) {
            values[i * 256 + i] = 1f;
        }
        w.setFloats(values);
        x.setFloats(values);
        Tensor y = x;
        for (int i = 0; i < LINKS; i++) {
            y = ctx.mulMat(w, y);
        }
        return ctx.newGraph(LINKS + 8).expand(y);
    }
}
