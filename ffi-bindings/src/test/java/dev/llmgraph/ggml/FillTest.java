package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * ggml's fill (what the mixture of experts masks unkept groups with): every element the constant, minus infinity
 * included, in the input's shape; and its preconditions refused in words before ggml could assert.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class FillTest {
    static Stream<String> backends() {
        return Stream.of(Backends.CPU, Backends.CUDA);
    }

    @ParameterizedTest(name = "{0}: fill [6, 3, 2] with -inf")
    @MethodSource("backends")
    void everyElementIsTheConstant(String backendName) {
        float[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 6, 3, 2);
            ctx.allocate(backend);
            x.setFloats(new float[36]);
            Tensor filled = FillOps.of(ctx).fill(x, Float.NEGATIVE_INFINITY);
            shape = filled.ne();
            backend.compute(ctx.newGraph(Backends.GRAPH_NODES).expand(filled));
            got = filled.toFloats();
        }
        assertArrayEquals(new long[] {6, 3, 2, 1}, shape);
        float[] expected = new float[36];
        Arrays.fill(expected, Float.NEGATIVE_INFINITY);
        assertArrayEquals(expected, got);
    }

    @Test
    void aTransposedInputIsRefusedInWords() {
        try (Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 4, 3);
            var e = assertThrows(IllegalArgumentException.class, () -> FillOps.of(ctx).fill(ctx.transpose(x), 0f));
            assertEquals("fill: the tensor must be contiguous; copy it with cont() first", e.getMessage()
                    .substring(0, e.getMessage().indexOf(" (")));
        }
    }
}
