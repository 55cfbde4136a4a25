package dev.llmgraph.storage;

/**
 * How the elements of a tensor are stored: in blocks of {@link #blockSize()} elements taking
 * {@link #blockBytes()} bytes each (1 and 4 for F32; 32 and 34 for Q8_0). A row of {@code n} elements takes
 * {@code n / blockSize * blockBytes} bytes.
 *
 * <p>This is the part of an element type that accounting needs (cache bytes, weight bytes), kept apart
 * from the bindings so that a spec can be costed in plain Java: {@link dev.llmgraph.ggml.GgmlType} is the
 * implementation, and every {@code GgmlType} constant can be passed where a {@code StorageType} is asked for.
 */
public interface StorageType {
    /** 16-bit floats, for costing where the bindings are not at hand (same sizes as {@code GgmlType.F16}). */
    StorageType F16 = new Plain("F16", 2);
    /** 32-bit floats (same sizes as {@code GgmlType.F32}). */
    StorageType F32 = new Plain("F32", 4);

    /** A type of one element per block. */
    record Plain(String name, int blockBytes) implements StorageType {
        @Override
        public int blockSize() {
            return 1;
        }
    }

    /** The type's name as ggml spells it, e.g. {@code Q8_0}. */
    String name();

    /** Elements per block (1 for plain types). */
    int blockSize();

    /** Bytes per block. */
    int blockBytes();

    /** Whether elements are stored in blocks of more than one (a quantized type). */
    default boolean isQuantized() {
        return blockSize() > 1;
    }

    /** Average bytes per element, e.g. 1.0625 for Q8_0. */
    default double bytesPerElement() {
        return (double) blockBytes() / blockSize();
    }

    /** Whether a row of {@code elements} elements fills whole blocks of this type. */
    default boolean fitsRow(long elements) {
        return elements % blockSize() == 0;
    }

    /** Bytes of a row of {@code elements} elements; the count must be a whole number of blocks. */
    default long rowBytes(long elements) {
        if (!fitsRow(elements)) {
            throw new IllegalArgumentException(name() + " stores elements in blocks of " + blockSize()
                    + ", so a row of " + elements + " elements is not possible; use a row length divisible by "
                    + blockSize());
        }
        return elements / blockSize() * blockBytes();
    }
}
