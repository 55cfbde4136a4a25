package dev.llmgraph.io.safetensors;

import dev.llmgraph.ggml.GgmlType;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types a safetensors header names, with their sizes. llmgraph moves F32, F16 and BF16 between
 * files and tensors; the others parse (a checkpoint may carry an unused integer buffer) but cannot be
 * loaded as weights.
 */
public enum SafetensorsDtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), F64(8),
    I64(8), U64(8);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The ggml type with the same bit layout, or null when llmgraph does not load this dtype. */
    public GgmlType ggmlType() {
        return switch (this) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> null;
        };
    }

    /** The dtype of a ggml float type (F32, F16, BF16). */
    public static SafetensorsDtype of(GgmlType type) {
        return switch (type) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            default -> throw new IllegalArgumentException("safetensors has no dtype for ggml type " + type
                    + "; write f32, f16 or bf16");
        };
    }

    /** The dtype named {@code name} in a header, or null. */
    static SafetensorsDtype byName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** "BOOL, U8, ..., U64", for messages. */
    static String known() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /** The name torch_dtype uses in config.json. */
    String torchName() {
        return switch (this) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
