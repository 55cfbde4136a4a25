package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * argsort and top_k (what samplers are built from) against sorting in Java. The values of a row are
 * distinct, so the right answer is unique and the comparison is exact.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class SortTest {
    static Stream<Arguments> orders() {
        return Backends.crossedArguments(Stream.of(
                Arguments.of(false, 37, 4), Arguments.of(true, 37, 4), Arguments.of(true, 256, 2)));
    }

    @ParameterizedTest(name = "{0}: argsort descending={1} of x [{2}, {3}]")
    @MethodSource("orders")
    void argsortOrdersEachRow(String backendName, boolean descending, int width, int rows) {
        RandomInputs random = RandomInputs.forCase("argsort", descending, width, rows);
        float[] x = new float[width * rows];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(random.distinct(width), 0, x, row * width, width);
        }
        int[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, width, rows);
            ctx.allocate(backend);
            tx.setFloats(x);
            Tensor order = ctx.argsort(tx, descending);
            backend.compute(ctx.newGraph(Backends.GRAPH_NODES).expand(order));
            got = order.toInts();
        }
        assertArrayEquals(Reference.argsort(x, width, descending), got, RandomInputs.reproduce());
    }

    static Stream<Arguments> topKs() {
        return Backends.crossedArguments(Stream.of(Arguments.of(1, 50, 3), Arguments.of(5, 50, 3), Arguments.of(40, 64, 2)));
    }

    /** top_k returns its k indices in no particular order, so both sides are compared as sorted sets. */
    @ParameterizedTest(name = "{0}: top_k k={1} of x [{2}, {3}]")
    @MethodSource("topKs")
    void topKFindsTheLargestValuesOfEachRow(String backendName, int k, int width, int rows) {
        RandomInputs random = RandomInputs.forCase("top_k", k, width, rows);
        float[] x = new float[width * rows];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(random.distinct(width), 0, x, row * width, width);
        }
        int[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, width, rows);
            ctx.allocate(backend);
            tx.setFloats(x);
            Tensor top = ctx.topK(tx, k);
            shape = top.ne();
            backend.compute(ctx.newGraph(Backends.GRAPH_NODES).expand(top));
            got = top.toInts();
        }
        assertArrayEquals(new long[] {k, rows, 1, 1}, shape);
        int[] descending = Reference.argsort(x, width, true);
        for (int row = 0; row < rows; row++) {
            int[] expected = Arrays.copyOfRange(descending, row * width, row * width + k);
            int[] actual = Arrays.copyOfRange(got, row * k, (row + 1) * k);
            Arrays.sort(expected);
            Arrays.sort(actual);
            assertArrayEquals(expected, actual, "row " + row + "; " + RandomInputs.reproduce());
        }
    }
}
