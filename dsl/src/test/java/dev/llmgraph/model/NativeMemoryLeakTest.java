package dev.llmgraph.model;

import dev.llmgraph.ggml.Buffer;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Native memory stays flat over many cycles of build spec, lower (random weights), forward, decode and close:
 * every ggml buffer is freed at close (counted exactly by {@link Buffer#openBuffers()}), and the process's
 * resident memory (VmRSS from /proc/self/status, Linux) after a warm-up grows by less than the limit.
 *
 * <p>A model here is about 6 MB of weights and its KV cache and compute memory come on top, so a cycle that
 * leaked any of them would pass the limit within a few cycles. CI runs 40 cycles after 10 of warm-up; the
 * large run (prints its figures):
 * <pre>
 * mvn -B -o verify -pl dsl -am -Dtest=NativeMemoryLeakTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dllmgraph.leak.cycles=1000
 * </pre>
 */
class NativeMemoryLeakTest {
    private static final int CYCLES = Integer.getInteger("llmgraph.leak.cycles", 40);
    private static final int WARM_UP = Integer.getInteger("llmgraph.leak.warmUp", 10);
    /** Resident growth allowed after warm-up: Java's heap and malloc arenas settle by a few MB. */
    private static final long LIMIT_KB = 16 * 1024;

    private static ModelSpec spec(int cycle) {
        return Transformer.causalDecoder("leak-" + cycle).vocabSize(4096).dModel(256).layers(2).contextLength(64)
                .attention(Attention.grouped(4, 2)).positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(512)).build();
    }

    private static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** A resident sample after the garbage collector has run, so that Java garbage does not look like a leak. */
    private static long settledResidentKb() {
        System.gc();
        return residentKb();
    }

    @Test
    void buildLowerForwardCloseCyclesFreeEveryBufferAndKeepResidentMemoryFlat() {
        assumeTrue(residentKb() > 0, "resident memory is read from /proc/self/status (Linux)");
        int buffersBefore = Buffer.openBuffers();
        long[] resident = new long[WARM_UP + CYCLES];
        long[] jvm = new long[resident.length];
        for (int cycle = 0; cycle < resident.length; cycle++) {
            try (Model model = Model.random(spec(cycle), WeightInit.lecun(cycle), ModelOptions.cpu().withThreads(1))) {
                model.forward(1, 2, 3, 4, 5, 6, 7, 8);
                try (Session session = model.session(32)) {
                    session.feedAll(1, 2, 3);
                    for (int t = 0; t < 8; t++) {
                        session.feed(4 + t);
                    }
                }
                model.generate(new int[] {1, 2}, GenerationConfig.greedy(4));
                assertTrue(Buffer.openBuffers() > buffersBefore, "the model holds buffers while open");
            }
            assertEquals(buffersBefore, Buffer.openBuffers(), "ggml buffers left open after cycle " + cycle);
            resident[cycle] = settledResidentKb();
            jvm[cycle] = jvmCommittedKb();
        }
        long afterWarmUp = median(Arrays.copyOfRange(resident, WARM_UP, WARM_UP + Math.min(5, CYCLES)));
        long atEnd = median(Arrays.copyOfRange(resident, resident.length - Math.min(5, CYCLES), resident.length));
        long growth = atEnd - afterWarmUp;
        System.out.printf("leak: %d cycles after %d of warm-up; resident %d kB after warm-up, %d kB at the end: "
                        + "growth %d kB (%.2f kB per cycle), min %d kB, max %d kB; ggml buffers open at the end: %d%n",
                CYCLES, WARM_UP, afterWarmUp, atEnd, growth, (double) growth / CYCLES,
                Arrays.stream(resident, WARM_UP, resident.length).min().orElseThrow(),
                Arrays.stream(resident, WARM_UP, resident.length).max().orElseThrow(), Buffer.openBuffers() - buffersBefore);
        System.out.println("leak: cycle, resident kB, JVM heap + non-heap committed kB, resident outside the JVM's "
                + "own pools kB");
        for (int i = WARM_UP - 1; i < resident.length; i += Math.max(1, CYCLES / 10)) {
            System.out.printf("leak: %d %d %d %d%n", i + 1, resident[i], jvm[i], resident[i] - jvm[i]);
        }
        assertTrue(growth < LIMIT_KB, "resident memory grew by " + growth + " kB over " + CYCLES + " cycles");
    }

    /** What the JVM itself has committed (heap, metaspace, code cache): resident memory ggml did not allocate. */
    private static long jvmCommittedKb() {
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        return (memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted()) / 1024;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
