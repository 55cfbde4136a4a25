package dev.llmgraph.model;

import dev.llmgraph.ggml.Buffer;
import dev.llmgraph.ggml.FileMapping;
import dev.llmgraph.ggml.NativeHeap;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Native memory stays flat over many cycles of build spec, lower (random weights), forward, decode and close:
 * every ggml buffer is freed at close (counted exactly by {@link Buffer#openBuffers()}), every model file mapped
 * for weights used in place is unmapped ({@link FileMapping#openMappings()}), and the C heap in use
 * ({@link NativeHeap}: malloc'd and not freed) keeps its floor: its lowest sample in the second half of the
 * cycles exceeds the lowest of the first half by less than the limit, or, where it does not (the JVM's own mallocs
 * can lift it by one step of about 10 MB), half as many cycles more lift it by less than the limit again. Resident
 * memory (VmRSS) is printed beside it but not asserted: freed memory the allocator keeps and the Java heap move it by
 * tens of megabytes.
 *
 * <p>A model here is about 6 MB of weights and its KV cache and compute memory come on top, so a cycle that
 * leaked any of them would pass the limit within a few cycles. The same for GGUF load, generate, close. CI
 * runs 40 and 20 cycles after 10 of warm-up; the large run (prints its figures):
 * <pre>
 * mvn -B -o verify -pl dsl -am -Dtest=NativeMemoryLeakTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dllmgraph.leak.cycles=1000 -Dllmgraph.leak.ggufCycles=200
 * </pre>
 */
class NativeMemoryLeakTest {
    private static final int CYCLES = Integer.getInteger("llmgraph.leak.cycles", 40);
    private static final int GGUF_CYCLES = Integer.getInteger("llmgraph.leak.ggufCycles", 20);
    private static final int WARM_UP = Integer.getInteger("llmgraph.leak.warmUp", 10);
    /** Growth of the C heap's floor allowed: the JVM's own mallocs move it by a few MB; a leaked model, 6 MB a cycle. */
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
        measure("build spec, lower, forward, decode, generate, close", CYCLES, cycle -> {
            try (Model model = Model.random(spec(cycle), WeightInit.lecun(cycle), ModelOptions.cpu().withThreads(1))) {
                model.forward(1, 2, 3, 4, 5, 6, 7, 8);
                try (Session session = model.session(32)) {
                    session.feedAll(1, 2, 3);
                    for (int t = 0; t < 8; t++) {
                        session.feed(4 + t);
                    }
                }
                model.generate(new int[] {1, 2}, GenerationConfig.greedy(4));
            }
        });
    }

    @Test
    void ggufLoadGenerateCloseCyclesFreeEveryBufferAndKeepResidentMemoryFlat(@TempDir Path dir) {
        Path file = dir.resolve("leak.gguf");
        try (Model model = Model.random(spec(0), WeightInit.lecun(0), ModelOptions.cpu().withThreads(1))) {
            GgufModels.write(model, file);
        }
        measure("GGUF load, generate, close", GGUF_CYCLES, cycle -> {
            try (Model model = GgufModels.load(file, ModelOptions.cpu().withThreads(1))) {
                model.generate(new int[] {1, 2, 3}, GenerationConfig.greedy(6));
            }
        });
    }

    /**
     * Runs {@code cycle} for the warm-up and then {@code cycles} times, checking after each that every ggml buffer
     * it opened is closed and sampling resident memory; prints the figures and fails on growth past the limit.
     */
    private static void measure(String what, int cycles, java.util.function.IntConsumer cycle) {
        assumeTrue(residentKb() > 0, "resident memory is read from /proc/self/status (Linux)");
        int buffersBefore = Buffer.openBuffers(), mappingsBefore = FileMapping.openMappings();
        long[] resident = new long[WARM_UP + cycles];
        long[] jvm = new long[resident.length];
        long[] heap = new long[resident.length];
        for (int i = 0; i < resident.length; i++) {
            cycle.accept(i);
            assertEquals(buffersBefore, Buffer.openBuffers(), "ggml buffers left open after cycle " + i);
            assertEquals(mappingsBefore, FileMapping.openMappings(), "model files left mapped after cycle " + i);
            resident[i] = settledResidentKb();
            jvm[i] = jvmCommittedKb();
            heap[i] = NativeHeap.inUseBytes().orElse(-1024) / 1024;
        }
        long afterWarmUp = median(Arrays.copyOfRange(resident, WARM_UP, WARM_UP + Math.min(5, cycles)));
        long atEnd = median(Arrays.copyOfRange(resident, resident.length - Math.min(5, cycles), resident.length));
        long growth = atEnd - afterWarmUp;
        System.out.printf("leak (%s): %d cycles after %d of warm-up; resident %d kB after warm-up, %d kB at the end: "
                        + "growth %d kB (%.2f kB per cycle), min %d kB, max %d kB; ggml buffers open at the end: %d%n",
                what, cycles, WARM_UP, afterWarmUp, atEnd, growth, (double) growth / cycles,
                Arrays.stream(resident, WARM_UP, resident.length).min().orElseThrow(),
                Arrays.stream(resident, WARM_UP, resident.length).max().orElseThrow(), Buffer.openBuffers() - buffersBefore);
        long heapGrowth = median(Arrays.copyOfRange(heap, heap.length - Math.min(5, cycles), heap.length))
                - median(Arrays.copyOfRange(heap, WARM_UP, WARM_UP + Math.min(5, cycles)));
        System.out.printf("leak (%s): C heap in use (mallinfo2) grew by %d kB (%.3f kB per cycle)%n", what, heapGrowth,
                (double) heapGrowth / cycles);
        System.out.println("leak: cycle, resident kB, JVM heap + non-heap committed kB, resident outside the JVM's "
                + "own pools kB, C heap in use kB");
        for (int i = WARM_UP - 1; i < resident.length; i += Math.max(1, cycles / 10)) {
            System.out.printf("leak: %d %d %d %d %d%n", i + 1, resident[i], jvm[i], resident[i] - jvm[i], heap[i]);
        }
        // The floor of the C heap: a leak lifts it cycle after cycle, while the JVM's own mallocs (compiler
        // arenas, GC) move the samples up and down by megabytes around it.
        int half = WARM_UP + cycles / 2;
        long floorGrowth = Arrays.stream(heap, half, heap.length).min().orElseThrow()
                - Arrays.stream(heap, WARM_UP, half).min().orElseThrow();
        System.out.printf("leak (%s): floor of the C heap in use, second half of the cycles minus first half: %d kB%n",
                what, floorGrowth);
        assumeTrue(heap[0] >= 0, "the C heap is read with glibc's mallinfo2");
        if (floorGrowth < LIMIT_KB) {
            return;
        }
        // One step up can be the JVM's own (a compiler arena it keeps: its mallocs move the samples by 10 MB steps);
        // a leak goes on lifting the floor. Half as many cycles again tell the two apart.
        long secondHalfFloor = Arrays.stream(heap, half, heap.length).min().orElseThrow();
        long[] more = new long[cycles / 2];
        for (int i = 0; i < more.length; i++) {
            cycle.accept(resident.length + i);
            System.gc();
            more[i] = NativeHeap.inUseBytes().orElse(-1024) / 1024;
        }
        long stepAgain = Arrays.stream(more).min().orElseThrow() - secondHalfFloor;
        System.out.printf("leak (%s): the floor rose %d kB; %d cycles more moved it %d kB%n", what, floorGrowth,
                more.length, stepAgain);
        assertTrue(stepAgain < LIMIT_KB, "the C heap in use grew by " + floorGrowth + " kB from the first half of "
                + cycles + " cycles to the second, and by " + stepAgain + " kB more in " + more.length + " cycles after");
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
