package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.llmgraph.ggml.Reference.count;
import static dev.llmgraph.ggml.Reference.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The ops that move data rather than compute with it: get_rows (embedding lookup), concat, cpy and cast to
 * f16, permute followed by cont. They are exact: the expected values are the inputs rearranged, or rounded
 * to f16 by Java's own IEEE conversion (round to nearest, ties to even, as ggml's is), so the comparisons
 * allow no error at all; only q8_0 lookups carry that format's documented rounding.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class LayoutOpsTest {
    private static final int EMBEDDING_WIDTH = 64;
    private static final int VOCAB = 10;

    static Stream<Arguments> tableTypes() {
        return Backends.crossed(Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0));
    }

    @ParameterizedTest(name = "{0}: get_rows from a {1} table [" + EMBEDDING_WIDTH + ", " + VOCAB + "]")
    @MethodSource("tableTypes")
    void getRowsLooksUpEmbeddings(String backendName, GgmlType tableType) {
        RandomInputs random = RandomInputs.forCase("get_rows", tableType);
        float[] table = random.uniform(EMBEDDING_WIDTH * VOCAB, -1, 1);
        int[] tokens = {3, 0, 9, 3, 7, 1, 1};
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor ttable = ctx.newTensor("token_embd", tableType, EMBEDDING_WIDTH, VOCAB);
            Tensor ttokens = ctx.newTensor("tokens", GgmlType.I32, tokens.length);
            ctx.allocate(backend);
            ttable.setFloats(table);
            ttokens.setInts(tokens);
            got = Backends.computeAndRead(backend, ctx, ctx.getRows(ttable, ttokens));
        }
        String what = "get_rows " + tableType;
        switch (tableType) {
            case F16 -> Compare.assertExactly(what, Reference.getRows(Reference.roundedToF16(table), EMBEDDING_WIDTH, tokens), got);
            case Q8_0 -> Compare.assertClose(what, Reference.getRows(RandomInputs.widen(table), EMBEDDING_WIDTH, tokens),
                    Reference.getRows(Reference.q8_0ErrorBound(table), EMBEDDING_WIDTH, tokens), got);
            default -> Compare.assertExactly(what, Reference.getRows(RandomInputs.widen(table), EMBEDDING_WIDTH, tokens), got);
        }
    }

    static Stream<Arguments> concatDims() {
        return Backends.crossed(IntStream.range(0, 4).boxed());
    }

    @ParameterizedTest(name = "{0}: concat [4, 3, 2, 2] with a tensor 2 larger along dimension {1}")
    @MethodSource("concatDims")
    void concatJoinsAlongOneDimension(String backendName, int dim) {
        RandomInputs random = RandomInputs.forCase("concat", dim);
        int[] aNe = {4, 3, 2, 2};
        int[] bNe = aNe.clone();
        bNe[dim] = aNe[dim] + 2;
        float[] a = random.uniform(count(aNe), -1, 1);
        float[] b = random.uniform(count(bNe), -1, 1);
        float[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor ta = ctx.newTensor("a", GgmlType.F32, longs(aNe));
            Tensor tb = ctx.newTensor("b", GgmlType.F32, longs(bNe));
            ctx.allocate(backend);
            ta.setFloats(a);
            tb.setFloats(b);
            Tensor joined = ctx.concat(ta, tb, dim);
            shape = joined.ne();
            got = Backends.computeAndRead(backend, ctx, joined);
        }
        long[] expectedShape = longs(aNe);
        expectedShape[dim] += bNe[dim];
        assertArrayEquals(expectedShape, shape);
        Compare.assertExactly("concat along " + dim,
                Reference.concat(RandomInputs.widen(a), aNe, RandomInputs.widen(b), bNe, dim), got);
    }

    enum Conversion { CPY_INTO_F16_TENSOR, CAST_TO_F16 }

    static Stream<Arguments> conversions() {
        return Backends.crossed(Stream.of(Conversion.values()));
    }

    /** Includes an f16 subnormal, the largest finite f16 after rounding, and an overflow to infinity. */
    @ParameterizedTest(name = "{0}: {1}, f32 [33, 4] to f16")
    @MethodSource("conversions")
    void f32ToF16RoundsToNearestEven(String backendName, Conversion conversion) {
        RandomInputs random = RandomInputs.forCase("cpy", conversion);
        float[] x = random.uniform(33 * 4, -100, 100);
        x[0] = 1e-6f;
        x[1] = 65519f;
        x[2] = -65520f;
        x[3] = 1 + 0x1p-11f; // exactly halfway between two f16 values: ties go to the even one, 1
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, 33, 4);
            Tensor target = conversion == Conversion.CPY_INTO_F16_TENSOR ? ctx.newTensor("y", GgmlType.F16, 33, 4) : null;
            ctx.allocate(backend);
            tx.setFloats(x);
            Tensor converted = target != null ? ctx.cpy(tx, target) : ctx.cast(tx, GgmlType.F16);
            got = Backends.computeAndRead(backend, ctx, converted);
            if (target != null) {
                assertArrayEquals(got, target.toFloats(), 0f, "cpy writes into its target tensor");
            }
        }
        Compare.assertExactly(conversion.name().toLowerCase(java.util.Locale.ROOT), Reference.roundedToF16(x), got);
    }

    static Stream<Arguments> permutations() {
        return Backends.crossed(Stream.of(new int[] {0, 2, 1, 3}, new int[] {1, 0, 2, 3}, new int[] {2, 0, 3, 1}));
    }

    @ParameterizedTest(name = "{0}: permute [2, 3, 4, 5] by {1}, then cont")
    @MethodSource("permutations")
    void permuteThenContRearranges(String backendName, int[] axes) {
        RandomInputs random = RandomInputs.forCase("permute", axes);
        int[] ne = {2, 3, 4, 5};
        float[] x = random.uniform(count(ne), -1, 1);
        float[] got;
        long[] shape;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor("x", GgmlType.F32, longs(ne));
            ctx.allocate(backend);
            tx.setFloats(x);
            Tensor permuted = ctx.cont(ctx.permute(tx, axes[0], axes[1], axes[2], axes[3]));
            shape = permuted.ne();
            got = Backends.computeAndRead(backend, ctx, permuted);
        }
        long[] expectedShape = new long[4];
        for (int d = 0; d < 4; d++) {
            expectedShape[axes[d]] = ne[d];
        }
        assertArrayEquals(expectedShape, shape, "dimension d of x becomes dimension axes[d]");
        Compare.assertExactly("permute " + Arrays.toString(axes), Reference.permute(RandomInputs.widen(x), ne, axes), got);
    }
}
