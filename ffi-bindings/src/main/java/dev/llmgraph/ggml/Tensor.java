package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.GgmlApi;
import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * A ggml tensor: its type, its shape in ggml order ({@code ne[0]} is the fastest-varying dimension,
 * the number of columns) and, once allocated on a backend, its data. A tensor belongs to the
 * {@link Context} that created it and is valid while that context is open.
 *
 * <p>Data goes in and out as Java arrays; values are converted to and from the tensor's type (F16,
 * BF16, quantized types) by ggml's own conversion routines.
 */
public final class Tensor {
    /**
     * Transfers up to this size go straight between the Java array and the backend (a critical downcall
     * that holds the garbage collector for the copy); larger ones go through native memory. A decode step
     * moves its inputs and its logits this way: one copy instead of two.
     */
    private static final long DIRECT_ARRAY_BYTES = 64L << 20;
    /** {@code GGML_TENSOR_FLAG_PARAM}. */
    private static final int PARAMETER_FLAG = 4;

    private final Context owner;
    private final MemorySegment struct;
    /** The name last set through {@link #name(String)}, kept in Java to name the tensor once its memory is gone. */
    private volatile String knownName = "";

    Tensor(Context owner, MemorySegment pointer) {
        this.owner = owner;
        this.struct = TensorStruct.wrap(pointer);
    }

    MemorySegment pointer() {
        if (owner.isClosed()) {
            throw new IllegalStateException("tensor " + (knownName.isEmpty() ? "(unnamed)" : "'" + knownName + "'")
                    + " was freed with its ggml context, which was closed (a model's weights go when the model is "
                    + "closed); read its values before closing");
        }
        return struct;
    }

    public Context context() {
        return owner;
    }

    public GgmlType type() {
        return GgmlType.ofId(TensorStruct.type(pointer()));
    }

    /** Size of dimension {@code dim} (0 to 3) in ggml order. */
    public long ne(int dim) {
        if (dim < 0 || dim >= TensorStruct.MAX_DIMS) {
            throw new IllegalArgumentException("dimension " + dim + " does not exist; ggml tensors have dimensions 0 to 3");
        }
        return TensorStruct.ne(pointer(), dim);
    }

    /** Stride in bytes of dimension {@code dim}. */
    public long nb(int dim) {
        return TensorStruct.nb(pointer(), dim);
    }

    /** All four sizes in ggml order. */
    public long[] ne() {
        return new long[] {ne(0), ne(1), ne(2), ne(3)};
    }

    /** Sizes in ggml order without trailing ones (a scalar keeps one dimension). */
    public long[] shape() {
        long[] ne = ne();
        int rank = rank();
        return Arrays.copyOf(ne, rank);
    }

    /** Number of dimensions, ignoring trailing dimensions of size one (at least 1). */
    public int rank() {
        int rank = TensorStruct.MAX_DIMS;
        while (rank > 1 && ne(rank - 1) == 1) {
            rank--;
        }
        return rank;
    }

    public long elementCount() {
        return GgmlApi.ggml_nelements(pointer());
    }

    public long byteSize() {
        return GgmlApi.ggml_nbytes(pointer());
    }

    public boolean isContiguous() {
        return GgmlApi.ggml_is_contiguous(pointer());
    }

    public boolean isTransposed() {
        return GgmlApi.ggml_is_transposed(pointer());
    }

    public String name() {
        String name = TensorStruct.name(pointer());
        knownName = name;
        return name;
    }

    /** Sets the name (at most 63 bytes); graph nodes are looked up by it. Returns this tensor. */
    public Tensor name(String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length >= TensorStruct.MAX_NAME) {
            throw new IllegalArgumentException("tensor name '" + name + "' is " + bytes.length
                    + " bytes long; ggml keeps at most " + (TensorStruct.MAX_NAME - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            GgmlApi.ggml_set_name(pointer(), arena.allocateFrom(name));
        }
        knownName = name;
        return this;
    }

    /** The ggml operation that produces this tensor ("NONE" for leaves such as weights and inputs). */
    public String op() {
        return GgmlApi.ggml_op_desc(pointer());
    }

    /**
     * Whether this product (mul_mat, mul_mat_id or flash_attn_ext) asks every backend to accumulate in F32
     * ({@link AttentionOps#scores}, {@link AttentionOps#flashAttention}); false for any other op. Without the
     * request ggml-cuda accumulates products of F16 data in half precision; the CPU accumulates in F32 either way.
     */
    public boolean accumulatesInF32() {
        int param = switch (op()) {
            case "MUL_MAT", "MUL_MAT_ID" -> GgmlApi.PREC_PARAM_MUL_MAT;
            case "FLASH_ATTN_EXT" -> GgmlApi.PREC_PARAM_FLASH_ATTN;
            default -> -1;
        };
        return param >= 0 && TensorStruct.opParamInt(pointer(), param) == GgmlApi.GGML_PREC_F32;
    }

    /** Marks the tensor as a graph input: the allocator gives it its own memory, which the caller fills. */
    public Tensor markInput() {
        GgmlApi.ggml_set_input(pointer());
        return this;
    }

    /**
     * Marks a weight as trainable: the backward pass ({@link Gradients}) computes its gradient. Only an f32
     * tensor that is not the result of an op can be trained.
     */
    public Tensor markParameter() {
        Shapes.require(TensorStruct.op(pointer()) == 0 && type() == GgmlType.F32, "markParameter",
                "only an f32 weight or input (not the result of an op) can be trained", this);
        dev.llmgraph.ggml.internal.TrainingApi.ggml_set_param(pointer());
        return this;
    }

    /**
     * Makes a weight frozen again for graphs built from now on (ggml keeps {@link #markParameter()} as a flag on
     * the tensor, so a weight one training graph trained would otherwise get gradients in the next one too).
     */
    public Tensor unmarkParameter() {
        int flags = TensorStruct.flags(pointer());
        TensorStruct.setFlags(pointer(), flags & ~PARAMETER_FLAG);
        return this;
    }

    /** Marks a scalar f32 tensor as the loss the backward pass differentiates. */
    public Tensor markLoss() {
        Shapes.require(elementCount() == 1 && type() == GgmlType.F32, "markLoss",
                "the loss must be one f32 value; sum or average it first", this);
        dev.llmgraph.ggml.internal.TrainingApi.ggml_set_loss(pointer());
        return this;
    }

    /** Marks the tensor as a graph output: the allocator does not reuse its memory, so it can be read. */
    public Tensor markOutput() {
        GgmlApi.ggml_set_output(pointer());
        return this;
    }

    /** Whether the tensor has memory on a backend (weights after allocation, nodes after compute). */
    public boolean hasData() {
        return !Downcalls.isNull(TensorStruct.buffer(pointer())) || !Downcalls.isNull(TensorStruct.data(pointer()));
    }

    // ---- data in and out ---------------------------------------------------------------------------------

    /** Writes {@code values} (one per element, in ggml order) converted to the tensor's type. */
    public void setFloats(float... values) {
        checkTransfer(values.length, false);
        GgmlType type = type();
        if (type == GgmlType.F32 && byteSize() <= DIRECT_ARRAY_BYTES) {
            BackendApi.ggml_backend_tensor_set_array(pointer(), MemorySegment.ofArray(values), 0, byteSize());
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment floats = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            MemorySegment bytes = TypeConversion.fromFloats(arena, type, floats, ne(0), elementCount() / ne(0));
            BackendApi.ggml_backend_tensor_set(pointer(), bytes, 0, byteSize());
        }
    }

    /** Writes integer values into an I32 tensor (token ids, positions, row indices). */
    public void setInts(int... values) {
        checkTransfer(values.length, false);
        requireType(GgmlType.I32, "setInts(int...)");
        if (byteSize() <= DIRECT_ARRAY_BYTES) {
            BackendApi.ggml_backend_tensor_set_array(pointer(), MemorySegment.ofArray(values), 0, byteSize());
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            BackendApi.ggml_backend_tensor_set(pointer(), arena.allocateFrom(ValueLayout.JAVA_INT, values), 0, byteSize());
        }
    }

    /** Writes integer values into an I64 tensor (row indices, as ggml's CUDA kernels prefer them). */
    public void setLongs(long... values) {
        checkTransfer(values.length, false);
        requireType(GgmlType.I64, "setLongs(long...)");
        if (byteSize() <= DIRECT_ARRAY_BYTES) {
            BackendApi.ggml_backend_tensor_set_array(pointer(), MemorySegment.ofArray(values), 0, byteSize());
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            BackendApi.ggml_backend_tensor_set(pointer(), arena.allocateFrom(ValueLayout.JAVA_LONG, values), 0, byteSize());
        }
    }

    /** Reads all elements as floats (in ggml order), converting from the tensor's type. */
    public float[] toFloats() {
        checkTransfer(elementCount(), true);
        GgmlType type = type();
        if (type == GgmlType.F32 && byteSize() <= DIRECT_ARRAY_BYTES) {
            float[] out = new float[(int) elementCount()];
            BackendApi.ggml_backend_tensor_get_array(pointer(), MemorySegment.ofArray(out), 0, byteSize());
            return out;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(byteSize(), 64);
            BackendApi.ggml_backend_tensor_get(pointer(), bytes, 0, byteSize());
            return TypeConversion.toFloats(arena, type, bytes, elementCount()).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** Reads an I32 tensor. */
    public int[] toInts() {
        checkTransfer(elementCount(), true);
        requireType(GgmlType.I32, "toInts()");
        if (byteSize() <= DIRECT_ARRAY_BYTES) {
            int[] out = new int[(int) elementCount()];
            BackendApi.ggml_backend_tensor_get_array(pointer(), MemorySegment.ofArray(out), 0, byteSize());
            return out;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(byteSize(), 64);
            BackendApi.ggml_backend_tensor_get(pointer(), bytes, 0, byteSize());
            return bytes.toArray(ValueLayout.JAVA_INT);
        }
    }

    /** Fills the tensor's bytes from {@code source} (already in the tensor's type and layout). */
    public void setRaw(MemorySegment source) {
        checkTransfer(elementCount(), false);
        if (source.byteSize() != byteSize()) {
            throw new IllegalArgumentException("tensor " + describe() + " holds " + byteSize() + " bytes but "
                    + source.byteSize() + " were given");
        }
        BackendApi.ggml_backend_tensor_set(pointer(), source, 0, byteSize());
    }

    /**
     * Copies {@code source}'s bytes (the same type and sizes) into this tensor through host memory; a repacking
     * buffer rearranges them as it stores them, so this is how a second, repacked copy of a weight is made.
     */
    public void setRawFrom(Tensor source) {
        if (source.type() != type() || !Arrays.equals(source.ne(), ne())) {
            throw new IllegalArgumentException("cannot copy " + source.describe() + " into " + describe()
                    + ": the type and sizes must be the same");
        }
        copyThroughHost(List.of(source));
    }

    /**
     * Copies the rows of {@code parts} (matrices of this tensor's type and row length), one part after another, into
     * this matrix, whose rows they must fill exactly; through host memory, so a repacking buffer rearranges them as
     * it stores them: how q, k and v become one repacked matrix.
     */
    public void setRowsFrom(List<Tensor> parts) {
        long rows = 0;
        for (Tensor part : parts) {
            if (part.type() != type() || part.rank() > 2 || rank() > 2 || part.ne(0) != ne(0)) {
                throw new IllegalArgumentException("cannot copy the rows of " + part.describe() + " into "
                        + describe() + ": both must be matrices of the same type and row length");
            }
            rows += part.ne(1);
        }
        if (rows != ne(1)) {
            throw new IllegalArgumentException("the parts hold " + rows + " rows but " + describe() + " has "
                    + ne(1));
        }
        copyThroughHost(parts);
    }

    /**
     * Writes the bytes of {@code parts}, one after another, into this tensor: straight from host memory where the
     * parts lie there back to back (weights mapped from a file, as llama.cpp hands its mapping to a repacking
     * buffer), else through a staging copy.
     */
    private void copyThroughHost(List<Tensor> parts) {
        MemorySegment inPlace = hostBytes(parts);
        if (inPlace != null) {
            setRaw(inPlace);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(byteSize(), 64);
            long at = 0;
            for (Tensor part : parts) {
                part.getRaw(bytes.asSlice(at, part.byteSize()));
                at += part.byteSize();
            }
            setRaw(bytes);
        }
    }

    /** The bytes of {@code parts} as one segment of host memory, when they lie there back to back; else null. */
    private static MemorySegment hostBytes(List<Tensor> parts) {
        long start = 0, end = 0;
        for (Tensor part : parts) {
            MemorySegment buffer = TensorStruct.buffer(part.pointer());
            long data = TensorStruct.data(part.pointer()).address();
            if (Downcalls.isNull(buffer) || data == 0 || !BackendApi.ggml_backend_buffer_is_host(buffer)
                    || !part.isContiguous() || (end != 0 && data != end)) {
                return null;
            }
            start = end == 0 ? data : start;
            end = data + part.byteSize();
        }
        return MemorySegment.ofAddress(start).reinterpret(end - start);
    }

    /** Copies the tensor's bytes (in its type and layout) into {@code target}. */
    public void getRaw(MemorySegment target) {
        checkTransfer(elementCount(), true);
        BackendApi.ggml_backend_tensor_get(pointer(), target, 0, byteSize());
    }

    private void requireType(GgmlType expected, String what) {
        if (type() != expected) {
            throw new IllegalArgumentException(what + " needs a tensor of type " + expected + " but "
                    + describe() + " is " + type());
        }
    }

    private void checkTransfer(long count, boolean read) {
        String verb = read ? "read" : "write";
        if (!hasData()) {
            throw new IllegalStateException("tensor " + describe() + " has no memory yet, so it cannot " + verb
                    + " data: allocate its context on a backend (Context.allocate) or compute its graph first");
        }
        owner.ensureBufferUsable(this, read);
        if (!isContiguous()) {
            throw new IllegalArgumentException("tensor " + describe() + " is a non-contiguous view; copy it with "
                    + "cont() first");
        }
        if (count != elementCount()) {
            throw new IllegalArgumentException("tensor " + describe() + " has " + elementCount() + " elements but "
                    + count + " values were given");
        }
    }

    /** For example {@code attn_norm.0 f32 [32, 7]} (ggml order). */
    public String describe() {
        String name = name().trim();
        return (name.isEmpty() ? "" : name + " ") + type() + " " + Arrays.toString(shape());
    }

    @Override
    public String toString() {
        return "Tensor(" + describe() + ", op " + op() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.struct.address() == struct.address();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(struct.address());
    }
}
