package dev.llmgraph.ggml.gguf;

import java.util.Locale;

/**
 * The value types of GGUF metadata ({@code enum gguf_type} in {@code gguf.h}), with the names ggml prints
 * ({@code u8}, {@code i32}, {@code f32}, {@code str}, {@code arr}, ...).
 */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 0), ARRAY(9, 0), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int byteSize;

    GgufValueType(int id, int byteSize) {
        this.id = id;
        this.byteSize = byteSize;
    }

    /** The {@code gguf_type} value stored in the file. */
    public int id() {
        return id;
    }

    /** Bytes of one value in the file; 0 for STRING and ARRAY, whose size depends on their content. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with id {@code id}, or null when GGUF defines none. */
    static GgufValueType ofIdOrNull(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** ggml's short name: u8, i8, u16, i16, u32, i32, f32, bool, str, arr, u64, i64, f64. */
    @Override
    public String toString() {
        return switch (this) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case BOOL -> "bool";
            case STRING -> "str";
            case ARRAY -> "arr";
            default -> (isUnsigned() ? "u" : "i") + name().replaceAll("[A-Z]", "").toLowerCase(Locale.ROOT);
        };
    }
}
