package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.INT64;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;

/**
 * The fields of {@code struct ggml_tensor} that the typed layer reads: type, ne, nb, op, data, name.
 * The layout follows ggml.h of the pinned version (GGML_MAX_DIMS 4, GGML_MAX_SRC 10,
 * GGML_MAX_OP_PARAMS 64, GGML_MAX_NAME 64); a test checks it against ggml's own accessors.
 */
public final class TensorStruct {
    public static final int MAX_DIMS = 4;
    public static final int MAX_NAME = 64;
    public static final int MAX_SRC = 10;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            INT.withName("type"), MemoryLayout.paddingLayout(4),
            PTR.withName("buffer"),
            MemoryLayout.sequenceLayout(MAX_DIMS, INT64).withName("ne"),
            MemoryLayout.sequenceLayout(MAX_DIMS, SIZE_T).withName("nb"),
            INT.withName("op"),
            MemoryLayout.sequenceLayout(64 / 4, INT).withName("op_params"),
            INT.withName("flags"),
            MemoryLayout.sequenceLayout(MAX_SRC, PTR).withName("src"),
            PTR.withName("view_src"),
            SIZE_T.withName("view_offs"),
            PTR.withName("data"),
            MemoryLayout.sequenceLayout(MAX_NAME, ValueLayout.JAVA_BYTE).withName("name"),
            PTR.withName("extra"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("padding"));

    private static final long TYPE = offset("type");
    private static final long BUFFER = offset("buffer");
    private static final long NE = offset("ne");
    private static final long NB = offset("nb");
    private static final long OP = offset("op");
    private static final long SRC = offset("src");
    private static final long DATA = offset("data");
    private static final long NAME = offset("name");
    private static final long OP_PARAMS = offset("op_params");
    private static final long FLAGS = offset("flags");
    private static final long VIEW_SRC = offset("view_src");

    private TensorStruct() {}

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Gives a tensor pointer returned by ggml the size of the struct, so its fields can be read. */
    public static MemorySegment wrap(MemorySegment pointer) {
        return pointer.reinterpret(LAYOUT.byteSize());
    }

    public static int type(MemorySegment t) { return t.get(INT, TYPE); }
    public static long ne(MemorySegment t, int dim) { return t.get(INT64, NE + 8L * dim); }
    public static long nb(MemorySegment t, int dim) { return t.get(SIZE_T, NB + 8L * dim); }
    public static int op(MemorySegment t) { return t.get(INT, OP); }
    public static MemorySegment src(MemorySegment t, int i) { return t.get(ValueLayout.ADDRESS, SRC + 8L * i); }
    public static int flags(MemorySegment t) { return t.get(INT, FLAGS); }
    /** Sets the flags field; ggml has no call that clears a flag. */
    public static void setFlags(MemorySegment t, int flags) { t.set(INT, FLAGS, flags); }
    public static MemorySegment viewSource(MemorySegment t) { return t.get(ValueLayout.ADDRESS, VIEW_SRC); }
    public static MemorySegment buffer(MemorySegment t) { return t.get(ValueLayout.ADDRESS, BUFFER); }
    public static MemorySegment data(MemorySegment t) { return t.get(ValueLayout.ADDRESS, DATA); }
    /** The op's parameter number {@code i} read as an int. */
    public static int opParamInt(MemorySegment t, int i) { return t.get(INT, OP_PARAMS + 4L * i); }
    /** The op's parameter number {@code i} read as a float (how ggml stores scales, biases and caps). */
    public static float opParamFloat(MemorySegment t, int i) { return t.get(ValueLayout.JAVA_FLOAT, OP_PARAMS + 4L * i); }
    /** Sets the buffer field; only for support probes on tensors that never get data. */
    public static void setBuffer(MemorySegment t, MemorySegment buffer) { t.set(ValueLayout.ADDRESS, BUFFER, buffer); }
    public static String name(MemorySegment t) { return t.getString(NAME); }
}
