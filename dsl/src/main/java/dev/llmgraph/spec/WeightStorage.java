package dev.llmgraph.spec;

import dev.llmgraph.storage.StorageType;

/**
 * How llmgraph (and its GGUF export) stores a weight when matrices are asked for in some type: vectors
 * (norms, biases, small tables) in F32, as llama.cpp keeps them; a matrix in the type asked for when its rows
 * fill whole blocks of it, else in F16. Accounting reads the bytes from here; lowering and the GGUF export
 * map each case to the ggml type they allocate.
 */
public enum WeightStorage {
    /** A vector, kept in F32 (4 bytes an element). */
    F32(4),
    /** A matrix whose rows do not fill whole blocks of the type asked for, kept in F16 (2 bytes an element). */
    F16(2),
    /** A matrix stored in the type asked for. */
    MATRIX_TYPE(0);

    private final int plainBytes;

    WeightStorage(int plainBytes) {
        this.plainBytes = plainBytes;
    }

    /** The storage of a weight with rows of {@code rowLength} elements when matrices are asked for in {@code matrixType}. */
    public static WeightStorage of(boolean matrix, long rowLength, StorageType matrixType) {
        if (!matrix) {
            return F32;
        }
        return matrixType.fitsRow(rowLength) ? MATRIX_TYPE : F16;
    }

    /** Bytes of a row of {@code rowLength} elements stored this way. */
    public long rowBytes(long rowLength, StorageType matrixType) {
        return switch (this) {
            case F32, F16 -> plainBytes * rowLength;
            case MATRIX_TYPE -> matrixType.rowBytes(rowLength);
        };
    }
}
