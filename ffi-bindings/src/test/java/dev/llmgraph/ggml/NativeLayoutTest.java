package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.GgmlApi;
import dev.llmgraph.ggml.internal.TensorStruct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two places where Java restates ggml's C definitions: the field offsets of {@code struct ggml_tensor}
 * ({@link TensorStruct}) and the block geometry of every type ({@link GgmlType}). Both are checked against
 * ggml's own functions and against tensors whose shapes, names and sources are known.
 */
class NativeLayoutTest {
    /** GGML_TYPE_COUNT in ggml.h of the pinned version; ids beyond it are not valid arguments to ggml. */
    private static final int GGML_TYPE_COUNT = 43;
    /** sizeof(struct ggml_object) on a 64-bit platform: ggml_tensor_overhead() is that plus the tensor struct. */
    private static final long GGML_OBJECT_SIZE = 32;
    /** Positions in enum ggml_op of the pinned ggml.h. */
    private static final int GGML_OP_NONE = 0, GGML_OP_MUL_MAT = 29;

    @ParameterizedTest(name = "{0}")
    @EnumSource(GgmlType.class)
    void typeTableMatchesGgml(GgmlType type) {
        assertEquals(GgmlApi.ggml_blck_size(type.id()), type.blockSize(), "block size of " + type);
        assertEquals(GgmlApi.ggml_type_size(type.id()), type.blockBytes(), "block bytes of " + type);
        assertEquals(type, GgmlType.parse(GgmlApi.ggml_type_name(type.id())), "name of id " + type.id());
        assertEquals(GgmlApi.ggml_row_size(type.id(), 4L * type.blockSize()), type.rowBytes(4L * type.blockSize()));
    }

    @Test
    void typeTableHasEveryTypeGgmlSupportsAndNoOther() {
        for (int id = 0; id < GGML_TYPE_COUNT; id++) {
            int typeId = id;
            if (GgmlApi.ggml_blck_size(id) > 0) {
                assertEquals(typeId, GgmlType.ofId(id).id());
            } else {
                // ggml keeps slots 4, 5, 31-33 and 36-38 for removed types, with block size 0.
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgmlType.ofId(typeId));
                assertEquals("unknown ggml type id " + id + " (this build knows ids 0 to 42, without the removed ones "
                        + "4, 5 and 31 to 33, 36 to 38)", e.getMessage());
            }
        }
    }

    @Test
    void structSizeMatchesGgmlsTensorOverhead() {
        assertEquals(GgmlApi.ggml_tensor_overhead() - GGML_OBJECT_SIZE, TensorStruct.LAYOUT.byteSize());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_K", "I32"})
    void fieldReadsAgreeWithWhatTheTensorWasCreatedWith(GgmlType type) {
        long[] ne = {2L * type.blockSize() * 3, 5, 3, 2};
        try (Context ctx = Context.create(4)) {
            Tensor t = ctx.newTensor("weights.17", type, ne);
            var p = t.pointer();
            assertEquals(type.id(), TensorStruct.type(p));
            long stride = type.blockBytes();
            assertEquals(stride, TensorStruct.nb(p, 0), "nb[0] is the size of one block");
            stride = stride * ne[0] / type.blockSize();
            for (int d = 0; d < 4; d++) {
                assertEquals(ne[d], TensorStruct.ne(p, d), "ne[" + d + "]");
                if (d > 0) {
                    assertEquals(stride, TensorStruct.nb(p, d), "nb[" + d + "]");
                    stride *= ne[d];
                }
            }
            assertEquals(stride, GgmlApi.ggml_nbytes(p), "ggml_nbytes of a packed tensor");
            assertEquals(ne[0] * ne[1] * ne[2] * ne[3], GgmlApi.ggml_nelements(p));
            assertEquals("weights.17", TensorStruct.name(p));
            assertEquals(GGML_OP_NONE, TensorStruct.op(p));
            assertEquals(0L, TensorStruct.data(p).address(), "no data before allocation");
            assertEquals(0L, TensorStruct.buffer(p).address(), "no buffer before allocation");
        }
    }

    @Test
    void sourcesOpAndDataPointersAreWhereGgmlPutsThem() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 8, 4);
            Tensor b = ctx.newTensor("b", GgmlType.F32, 8, 3);
            assertFalse(a.hasData());
            ctx.allocate(cpu);
            assertTrue(a.hasData());
            var pa = a.pointer();
            assertTrue(TensorStruct.buffer(pa).address() != 0, "a buffer after allocation");
            assertTrue(TensorStruct.data(pa).address() != 0, "data after allocation");

            Tensor product = ctx.mulMat(a, b);
            var pp = product.pointer();
            assertEquals(GGML_OP_MUL_MAT, TensorStruct.op(pp));
            assertEquals("MUL_MAT", product.op());
            assertEquals(pa.address(), TensorStruct.src(pp, 0).address());
            assertEquals(b.pointer().address(), TensorStruct.src(pp, 1).address());
            assertEquals(0L, TensorStruct.src(pp, 2).address());

            // A view of allocated data points into it at the given offset (row 2 of a).
            Tensor row = ctx.view(a, new long[] {8}, new long[0], 2 * a.nb(1));
            assertEquals(TensorStruct.data(pa).address() + 2 * 8 * 4, TensorStruct.data(row.pointer()).address());
        }
    }
}
