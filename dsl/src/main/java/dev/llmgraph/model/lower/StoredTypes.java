package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.WeightLayout;
import dev.llmgraph.spec.WeightStorage;

/** The ggml type a weight is allocated in (and exported to GGUF in): {@link WeightStorage}'s cases as ggml types. */
public final class StoredTypes {
    private StoredTypes() {}

    /** The type of {@code w} when matrices are asked for in {@code matrixType}. */
    public static GgmlType of(WeightLayout.Weight w, GgmlType matrixType) {
        return of(w.storage(matrixType), matrixType);
    }

    /** {@code storage} as a ggml type, {@code matrixType} being the type matrices were asked for in. */
    public static GgmlType of(WeightStorage storage, GgmlType matrixType) {
        return switch (storage) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case MATRIX_TYPE -> matrixType;
        };
    }
}
