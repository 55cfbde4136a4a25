package dev.llmgraph.ggml;

import org.junit.jupiter.params.provider.Arguments;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backends every op test runs on: the CPU always, CUDA when this machine has a GPU. A CUDA case on a
 * machine without one is skipped through a JUnit assumption, so the Surefire report lists it as skipped
 * (visible) rather than leaving it out (silent).
 */
final class Backends {
    static final String CPU = "cpu";
    static final String CUDA = "cuda";

    /** Two threads: enough to exercise ggml's work splitting, few enough for a shared two-core machine. */
    static final int CPU_THREADS = 2;

    /** Graph size for the op tests; their contexts are created with room for a graph this large. */
    static final int GRAPH_NODES = 16;

    private static final List<String> NAMES = List.of(CPU, CUDA);

    private Backends() {}

    /** Every case once per backend, with the backend name as the first argument. */
    static Stream<Arguments> crossed(Stream<?> cases) {
        List<?> all = cases.toList();
        return NAMES.stream().flatMap(backend -> all.stream().map(c -> Arguments.of(backend, c)));
    }

    /** Every case once per backend, each case given as several arguments. */
    static Stream<Arguments> crossedArguments(Stream<Arguments> cases) {
        List<Arguments> all = cases.toList();
        return NAMES.stream().flatMap(backend -> all.stream().map(c -> {
            Object[] inner = c.get();
            Object[] args = new Object[inner.length + 1];
            args[0] = backend;
            System.arraycopy(inner, 0, args, 1, inner.length);
            return Arguments.of(args);
        }));
    }

    /** Opens the named backend, or skips the calling test when it is CUDA and there is no GPU. */
    static Backend open(String name) {
        if (name.equals(CUDA)) {
            assumeTrue(Backend.cudaAvailable(), "no CUDA device: CUDA tests skipped");
        }
        return Backend.byName(name, CPU_THREADS);
    }

    /** Computes the graph that produces {@code out} and reads it back as floats. */
    static float[] computeAndRead(Backend backend, Context ctx, Tensor out) {
        backend.compute(ctx.newGraph(GRAPH_NODES).expand(out));
        return out.toFloats();
    }

    static boolean isCuda(String name) {
        return name.equals(CUDA);
    }
}
