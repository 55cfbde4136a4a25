package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.GgmlApi;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/** Converts rows of floats to and from ggml types with ggml's own routines (fp16, bf16, quantization). */
public final class TypeConversion {
    private static final ConcurrentHashMap<GgmlType, MethodHandle> TO_FLOAT = new ConcurrentHashMap<>();

    /**
     * The quantized types {@code ggml_quantize_chunk} has a routine for. For any other type (q8_1, q8_k) it
     * computes nothing and then fails {@code GGML_ASSERT(result == nrows * row_size)}, which aborts the JVM.
     */
    private static final java.util.Set<GgmlType> QUANTIZABLE = java.util.EnumSet.of(
            GgmlType.Q1_0, GgmlType.Q2_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
            GgmlType.MXFP4, GgmlType.NVFP4, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ3_XXS, GgmlType.IQ3_S,
            GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.IQ4_NL, GgmlType.IQ4_XS);

    /** Throws unless floats can be encoded as {@code type} without an importance matrix. */
    public static void requireEncodable(GgmlType type) {
        if (type.isFloat()) {
            return;
        }
        if (!type.isQuantized()) {
            throw new IllegalArgumentException("cannot write floats into a tensor of type " + type
                    + "; integer tensors take setInts(int...)");
        }
        if (!QUANTIZABLE.contains(type)) {
            throw new IllegalArgumentException("ggml has no routine to quantize floats to " + type + "; use q8_0, "
                    + "q4_0, q4_k or another quantized type");
        }
        if (GgmlApi.ggml_quantize_requires_imatrix(type.id())) {
            throw new IllegalArgumentException(type + " needs an importance matrix to quantize; llmgraph "
                    + "quantizes to types that do not (q8_0, q4_0, q4_k, ...)");
        }
    }

    /** Elements below which splitting a quantization across threads costs more than it saves. */
    private static final long ELEMENTS_PER_QUANTIZE_TASK = 1 << 20;

    private TypeConversion() {}

    /** Encodes {@code rows x rowLength} floats as {@code type}; the result lives in {@code arena}. */
    public static MemorySegment fromFloats(Arena arena, GgmlType type, MemorySegment floats, long rowLength, long rows) {
        long n = rowLength * rows;
        switch (type) {
            case F32 -> {
                return floats;
            }
            case F16, BF16 -> {
                MemorySegment out = arena.allocate(2 * n, 64);
                if (type == GgmlType.F16) {
                    GgmlApi.ggml_fp32_to_fp16_row(floats, out, n);
                } else {
                    GgmlApi.ggml_fp32_to_bf16_row(floats, out, n);
                }
                return out;
            }
            default -> {
                requireEncodable(type);
                MemorySegment out = arena.allocate(type.rowBytes(rowLength) * rows, 64);
                quantizeRows(type, floats, out, rowLength, rows);
                return out;
            }
        }
    }

    /**
     * Quantizes on every core: ggml's quantizers run one row after another, and a large model's matrices took
     * minutes on one thread. Each task quantizes its own range of whole rows into its own range of
     * {@code out}; small matrices stay on the calling thread.
     */
    private static void quantizeRows(GgmlType type, MemorySegment floats, MemorySegment out, long rowLength, long rows) {
        long rowBytes = type.rowBytes(rowLength);
        long tasks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(),
                rows * rowLength / ELEMENTS_PER_QUANTIZE_TASK));
        long rowsPerTask = (rows + tasks - 1) / tasks;
        // The workers reach the caller's memory by address: its (confined) arena stays open until all return.
        MemorySegment source = MemorySegment.ofAddress(floats.address()).reinterpret(floats.byteSize());
        MemorySegment target = MemorySegment.ofAddress(out.address()).reinterpret(out.byteSize());
        LongStream.range(0, tasks).parallel().forEach(task -> {
            long first = task * rowsPerTask, count = Math.min(rowsPerTask, rows - first);
            if (count <= 0) {
                return;
            }
            long written = GgmlApi.ggml_quantize_chunk(type.id(), source, target, first * rowLength, count, rowLength,
                    MemorySegment.NULL);
            if (written != rowBytes * count) {
                throw new GgmlException("quantizing to " + type + " wrote " + written + " bytes, expected "
                        + rowBytes * count);
            }
        });
    }

    /** Decodes {@code count} elements of {@code type} to floats; the result lives in {@code arena}. */
    public static MemorySegment toFloats(Arena arena, GgmlType type, MemorySegment bytes, long count) {
        switch (type) {
            case F32 -> {
                return bytes;
            }
            case F16 -> {
                MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, count);
                GgmlApi.ggml_fp16_to_fp32_row(bytes, out, count);
                return out;
            }
            case BF16 -> {
                MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, count);
                GgmlApi.ggml_bf16_to_fp32_row(bytes, out, count);
                return out;
            }
            default -> {
                if (!type.isQuantized()) {
                    throw new IllegalArgumentException("a tensor of type " + type + " holds integers; read it with toInts()");
                }
                MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, count);
                try {
                    MethodHandle toFloat = TO_FLOAT.computeIfAbsent(type, TypeConversion::dequantizer);
                    toFloat.invokeExact(bytes, out, count);
                } catch (Throwable t) {
                    throw Downcalls.rethrow(t);
                }
                return out;
            }
        }
    }

    private static MethodHandle dequantizer(GgmlType type) {
        MemorySegment traits = GgmlApi.ggml_get_type_traits(type.id());
        MemorySegment function = traits.get(ValueLayout.ADDRESS,
                GgmlApi.TYPE_TRAITS.byteOffset(MemoryLayout.PathElement.groupElement("to_float")));
        if (Downcalls.isNull(function)) {
            throw new IllegalArgumentException("ggml has no routine to convert " + type + " to floats");
        }
        return Linker.nativeLinker().downcallHandle(function, GgmlApi.TO_FLOAT);
    }
}
