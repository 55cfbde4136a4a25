package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.ComputeInterruptedException;
import dev.llmgraph.ggml.Device;
import dev.llmgraph.ggml.GgmlException;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.testing.Gpu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A model's life on CUDA: stopped from another thread, loaded and closed many times, refused when too large. */
@Tag(Gpu.TAG)
class CudaModelLifecycleTest {
    private static final int CYCLES = 100;
    /**
     * What 100 load/close cycles may leave taken on the device: ggml-cuda's memory pools and cuBLAS
     * workspaces belong to the backend and go with it, so a cycle should leave nothing; a leak of one
     * model's weights (2.6 MiB here) per cycle would show as 260 MiB.
     */
    private static final long LEAK_ALLOWANCE = 32L << 20;

    @BeforeEach
    void needsAGpu() {
        Gpu.assumeCuda();
    }

    static ModelSpec small(int contextLength) {
        return Transformer.causalDecoder("cuda-lifecycle")
                .vocabSize(2000).dModel(256).layers(4).contextLength(contextLength)
                .attention(Attention.grouped(8, 2))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(688))
                .build();
    }

    /**
     * A notebook's stop button interrupts the cell's thread while it decodes on the GPU. ggml-cuda has no
     * per-node abort hook, so the stop takes effect when the running step's graph ends: the decode loop
     * throws within a fraction of a second, the thread's interrupt is consumed, and the model computes the
     * same logits afterwards.
     */
    @Test
    void decodingOnCudaStopsWhenTheThreadIsInterrupted() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Thread computing = Thread.currentThread();
        int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8};
        try (Model model = Model.random(small(4096), WeightInit.lecun(3), Gpu.exact())) {
            float[] before = model.forward(prompt).toArray();
            long[] interruptedAt = new long[1];
            timer.schedule(() -> {
                interruptedAt[0] = System.nanoTime();
                computing.interrupt();
            }, 300, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Session session = model.session()) {
                assertThrows(ComputeInterruptedException.class, () -> {
                    while (System.nanoTime() < deadline) {
                        if (session.position() == session.capacity()) {
                            session.reset();
                        }
                        session.feed(session.position() % 2000);
                    }
                    fail("decoding ran for 60 s without noticing the interrupt");
                });
            }
            double stoppedAfter = (System.nanoTime() - interruptedAt[0]) / 1e9;
            assertTrue(stoppedAfter < 2, "the decode loop stopped " + stoppedAfter + " s after the interrupt");
            assertFalse(Thread.currentThread().isInterrupted(), "the exception consumes the interrupt");
            assertArrayEquals(before, model.forward(prompt).toArray(), "logits after the interrupt");
        } finally {
            timer.shutdownNow();
            Thread.interrupted();
        }
    }

    /** Device memory before and after 100 cycles of load, forward, close of a GGUF model. */
    @Test
    void closingAModelGivesItsDeviceMemoryBack(@TempDir Path dir) {
        Path file = dir.resolve("lifecycle.gguf");
        try (Model model = Model.random(small(256), WeightInit.lecun(3), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, file);
        }
        ModelOptions cuda = ModelOptions.cuda().withThreads(2);
        int[] prompt = {1, 2, 3, 4};
        cycle(file, cuda, prompt); // the first use creates the CUDA context, streams and cuBLAS handles
        long before = cudaFreeBytes();
        for (int i = 0; i < CYCLES; i++) {
            cycle(file, cuda, prompt);
        }
        long after = cudaFreeBytes();
        System.out.printf("CUDA0 free memory before %d load/close cycles: %d bytes, after: %d (%+d)%n", CYCLES,
                before, after, after - before);
        assertTrue(before - after <= LEAK_ALLOWANCE, CYCLES + " load/close cycles left " + (before - after)
                + " bytes of device memory taken");
    }

    private static void cycle(Path file, ModelOptions options, int[] prompt) {
        try (Model model = GgufModels.load(file, options)) {
            assertEquals(prompt.length, model.forward(prompt).tokens());
        }
    }

    private static long cudaFreeBytes() {
        return Backend.devices().stream().filter(d -> d.name().equals("CUDA0")).mapToLong(Device::freeBytes)
                .findFirst().orElseThrow();
    }

    /** 590 billion F32 parameters (2.1 TiB) do not fit on one GPU: the refusal names both sizes and the fix. */
    @Test
    void aModelLargerThanTheGpuIsRefusedInWords() {
        ModelSpec huge = Transformer.causalDecoder("too-large")
                .vocabSize(32000).dModel(16384).layers(160).contextLength(4096)
                .attention(Attention.multiHead(128))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(53248))
                .build();
        GgmlException e = assertThrows(GgmlException.class,
                () -> Model.random(huge, WeightInit.lecun(1), Gpu.exact().withMatrixType(GgmlType.F32)));
        Matcher m = Pattern.compile("(\\d+\\.\\d\\d) GiB needed on CUDA0 but it has \\d+\\.\\d\\d GiB free \\(of "
                + "\\d+\\.\\d\\d GiB\\); store the weights in a smaller type \\(ModelOptions.withMatrixType\\("
                + "GgmlType.Q4_0\\)\\), use a smaller model, or run on the CPU").matcher(e.getMessage());
        assertTrue(m.matches(), e.getMessage());
        double expectedGib = huge.accounting().parameters().total() * 4.0 / (1L << 30);
        assertEquals(expectedGib, Double.parseDouble(m.group(1)), expectedGib * 1e-3, "bytes requested");
    }
}
