package dev.llmgraph.ggml;

import dev.llmgraph.storage.StorageType;

/**
 * ggml's element types with their block geometry: a row of {@code n} elements of a type takes
 * {@code n / blockSize * blockBytes} bytes. The table is plain Java so that accounting (weight bytes,
 * KV-cache bytes) works before any native library is loaded; a test checks it against ggml's own table.
 * Accounting sees it as a {@link StorageType}, the part of it that is not a binding.
 */
public enum GgmlType implements StorageType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17),
    NVFP4(40, 64, 36),
    Q1_0(41, 128, 18),
    Q2_0(42, 64, 18);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** ggml's {@code enum ggml_type} value. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for plain types). */
    @Override
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    @Override
    public int blockBytes() {
        return blockBytes;
    }

    /** F32, F16 and BF16: the types whose values are floating-point numbers element by element. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The type with ggml id {@code id}. */
    public static GgmlType ofId(int id) {
        GgmlType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) {
            throw new IllegalArgumentException("unknown ggml type id " + id + " (this build knows ids 0 to 42, "
                    + "without the removed ones 4, 5 and 31 to 33, 36 to 38)");
        }
        return t;
    }

    /** Parses names like {@code q8_0}, {@code Q4_K} or {@code f16}. */
    public static GgmlType parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown ggml type '" + name + "'; known types: "
                    + java.util.Arrays.toString(values()));
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
