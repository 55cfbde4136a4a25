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

/** Converts rows of floats to and from ggml types with ggml's own routines (fp16, bf16, quantization). */
final class TypeConversion {
    private static final ConcurrentHashMap<GgmlType, MethodHandle> TO_FLOAT = new ConcurrentHashMap<>();

    private TypeConversion() {}

    /** Encodes {@code rows x rowLength} floats as {@code type}; the result lives in {@code arena}. */
    static MemorySegment fromFloats(Arena arena, GgmlType type, MemorySegment floats, long rowLength, long rows) {
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
                if (!type.isQuantized()) {
                    throw new IllegalArgumentException("cannot write floats into a tensor of type " + type
                            + "; integer tensors take setInts(int...)");
                }
                if (GgmlApi.ggml_quantize_requires_imatrix(type.id())) {
                    throw new IllegalArgumentException(type + " needs an importance matrix to quantize; llmgraph "
                            + "quantizes to types that do not (q8_0, q4_0, q4_k, ...)");
                }
                long rowBytes = type.rowBytes(rowLength);
                MemorySegment out = arena.allocate(rowBytes * rows, 64);
                long written = GgmlApi.ggml_quantize_chunk(type.id(), floats, out, 0, rows, rowLength, MemorySegment.NULL);
                if (written != rowBytes * rows) {
                    throw new GgmlException("quantizing to " + type + " wrote " + written + " bytes, expected "
                            + rowBytes * rows);
                }
                return out;
            }
        }
    }

    /** Decodes {@code count} elements of {@code type} to floats; the result lives in {@code arena}. */
    static MemorySegment toFloats(Arena arena, GgmlType type, MemorySegment bytes, long count) {
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
