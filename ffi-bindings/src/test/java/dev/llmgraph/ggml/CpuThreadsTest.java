package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thread counts above ggml's GGML_MAX_N_THREADS are refused in words before a native call: 100,000 threads ended
 * the process (a segmentation fault while OpenMP started them). The largest count ggml takes still computes.
 */
class CpuThreadsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final String WHY = "ggml runs at most 512 CPU threads; this machine has " + CORES + " cores, and "
            + "threads beyond the cores only wait for each other, so choose at most " + Math.min(CORES, 512);

    @Test
    void aCountAboveGgmlsLimitIsRefusedInWords() {
        assertEquals("threads = 100000: " + WHY,
                assertThrows(IllegalArgumentException.class, () -> Backend.cpu(100_000)).getMessage());
        assertEquals("threads = 513: " + WHY,
                assertThrows(IllegalArgumentException.class, () -> Backend.cpu(513)).getMessage());
        try (Backend cpu = Backend.cpu(1)) {
            assertEquals("threads = 513: " + WHY,
                    assertThrows(IllegalArgumentException.class, () -> cpu.threads(513)).getMessage());
            assertEquals(1, cpu.threads(), "a refused count leaves the backend as it was");
        }
        StillComputes.assertStillComputes();
    }

    @Test
    void theLargestCountGgmlTakesStillComputesAProduct() {
        try (Backend cpu = Backend.cpu(CpuThreads.MAX)) {
            assertEquals(512, cpu.threads());
            StillComputes.assertComputesAProduct(cpu);
        }
    }

    @Test
    void theDefaultIsOnePerCoreUpToTheLimit() {
        assertEquals(Math.min(CORES, 512), CpuThreads.perCore());
        assertTrue(CpuThreads.refusal(512).isEmpty());
        try (Backend cpu = Backend.cpu()) {
            assertEquals(CpuThreads.perCore(), cpu.threads());
        }
    }
}
