package dev.llmgraph.ggml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Proof that the JVM survived a rejected input: a fresh context and backend still compute a small product
 * correctly. (Had ggml asserted instead of Java throwing, the whole test JVM would have died with it.)
 */
final class StillComputes {
    private StillComputes() {}

    static void assertStillComputes() {
        try (Backend cpu = Backend.cpu(1)) {
            assertComputesAProduct(cpu);
        }
    }

    /** {@code backend} multiplies a 3 x 2 matrix by a vector correctly. */
    static void assertComputesAProduct(Backend backend) {
        try (Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 3, 2);
            Tensor b = ctx.newTensor("b", GgmlType.F32, 3, 1);
            ctx.allocate(backend);
            a.setFloats(1, 2, 3, 4, 5, 6);
            b.setFloats(1, -1, 2);
            // rows of a dotted with b: 1 - 2 + 6 = 5 and 4 - 5 + 12 = 11
            assertArrayEquals(new float[] {5, 11}, Backends.computeAndRead(backend, ctx, ctx.mulMat(a, b)));
        }
    }
}
