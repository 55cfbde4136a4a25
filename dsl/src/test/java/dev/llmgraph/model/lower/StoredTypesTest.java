package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.WeightStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The spec's storage rule (bytes, for accounting) and lowering's types (for allocation) agree. */
class StoredTypesTest {
    @ParameterizedTest(name = "{0} with matrices in Q8_0")
    @EnumSource(WeightStorage.class)
    void bytesAccountedEqualBytesAllocated(WeightStorage storage) {
        GgmlType type = StoredTypes.of(storage, GgmlType.Q8_0);
        assertEquals(type.rowBytes(4096), storage.rowBytes(4096, GgmlType.Q8_0));
    }

    @Test
    void vectorsInF32AndRowsThatDoNotFillABlockInF16() {
        assertEquals(WeightStorage.F32, WeightStorage.of(false, 4096, GgmlType.Q4_K));
        assertEquals(WeightStorage.F16, WeightStorage.of(true, 32, GgmlType.Q4_K));
        assertEquals(WeightStorage.MATRIX_TYPE, WeightStorage.of(true, 4096, GgmlType.Q4_K));
    }
}
