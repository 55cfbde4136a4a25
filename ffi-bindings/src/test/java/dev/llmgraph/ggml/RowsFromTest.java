package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Tensor#setRowsFrom}: the rows of several matrices, one after another, in one matrix (how q, k and v become
 * one repacked matrix). The reference is the parts' values written out in order; parts that do not fit are refused
 * in words before any native call.
 */
class RowsFromTest {
    @Test
    void theRowsOfThePartsFollowEachOtherInOrder() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 3, 2);
            Tensor b = ctx.newTensor("b", GgmlType.F32, 3, 1);
            Tensor stack = ctx.newTensor("stack", GgmlType.F32, 3, 3);
            ctx.allocate(cpu);
            a.setFloats(1, 2, 3, 4, 5, 6);
            b.setFloats(7, 8, 9);
            stack.setRowsFrom(List.of(a, b));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, stack.toFloats());
        }
    }

    /**
     * Rows of 8 floats fill ggml's 32-byte alignment, so a and b lie back to back and are read in place (rows of 3
     * above are padded apart and go through a staging copy); in reverse order they are not back to back.
     */
    @Test
    void partsLyingBackToBackInHostMemoryAreCopiedInEitherOrder() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 8, 2);
            Tensor b = ctx.newTensor("b", GgmlType.F32, 8, 1);
            Tensor ab = ctx.newTensor("ab", GgmlType.F32, 8, 3);
            Tensor ba = ctx.newTensor("ba", GgmlType.F32, 8, 3);
            ctx.allocate(cpu);
            float[] rowsA = new float[16], rowB = new float[8];
            for (int i = 0; i < 16; i++) {
                rowsA[i] = i + 1;
            }
            for (int i = 0; i < 8; i++) {
                rowB[i] = -(i + 1);
            }
            a.setFloats(rowsA);
            b.setFloats(rowB);
            ab.setRowsFrom(List.of(a, b));
            ba.setRowsFrom(List.of(b, a));
            float[] expectedAb = new float[24], expectedBa = new float[24];
            System.arraycopy(rowsA, 0, expectedAb, 0, 16);
            System.arraycopy(rowB, 0, expectedAb, 16, 8);
            System.arraycopy(rowB, 0, expectedBa, 0, 8);
            System.arraycopy(rowsA, 0, expectedBa, 8, 16);
            assertArrayEquals(expectedAb, ab.toFloats());
            assertArrayEquals(expectedBa, ba.toFloats());
        }
    }

    @Test
    void partsThatDoNotFitAreRefusedInWords() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 3, 2);
            Tensor narrow = ctx.newTensor("narrow", GgmlType.F32, 2, 1);
            Tensor stack = ctx.newTensor("stack", GgmlType.F32, 3, 3);
            ctx.allocate(cpu);
            IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                    () -> stack.setRowsFrom(List.of(a, narrow)));
            assertEquals("cannot copy the rows of " + narrow.describe() + " into " + stack.describe()
                    + ": both must be matrices of the same type and row length", width.getMessage());
            IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                    () -> stack.setRowsFrom(List.of(a)));
            assertEquals("the parts hold 2 rows but " + stack.describe() + " has 3", rows.getMessage());
        }
    }
}
