package dev.llmgraph.ggml;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Moves bytes between files written with java.nio and tensors, and checks every element against values
 * computed in Java: exact for F32, for F16 and BF16 values that the type holds exactly, and for F16
 * rounding against Java's own {@link Float#floatToFloat16} (round to nearest even, like ggml's).
 */
class MappedFileTest {
    @TempDir
    Path dir;
    Backend cpu;
    Context ctx;

    @BeforeEach
    void open() {
        cpu = Backend.cpu(1);
        ctx = Context.create(8);
    }

    @AfterEach
    void close() {
        ctx.close();
        cpu.close();
    }

    /** Values 0.5, 1.5, 2.5, ...: exact in F32, F16 and BF16. */
    private static float value(int i) {
        return i + 0.5f;
    }

    private Path file(GgmlType type, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(3 + count * (type == GgmlType.F32 ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {7, 7, 7}); // an odd offset: safetensors data need not be aligned
        for (int i = 0; i < count; i++) {
            switch (type) {
                case F32 -> buffer.putFloat(value(i));
                case F16 -> buffer.putShort(Float.floatToFloat16(value(i)));
                default -> buffer.putShort((short) (Float.floatToRawIntBits(value(i)) >>> 16));
            }
        }
        Path path = dir.resolve("data-" + type + ".bin");
        Files.write(path, buffer.array());
        return path;
    }

    @Test
    void blocksGatherRowsInAnyOrder_f32IntoF32() throws IOException {
        Tensor t = ctx.newTensor("t", GgmlType.F32, 3, 2);
        ctx.allocate(cpu);
        try (MappedFile f = MappedFile.openForReading(file(GgmlType.F32, 12))) {
            // Rows 3 then 0 of a [4 rows x 3] matrix.
            f.copyTo(t, GgmlType.F32, new FileRegion.Blocks(3, new long[] {3 + 9 * 4, 3}));
        }
        assertArrayEquals(new float[] {9.5f, 10.5f, 11.5f, 0.5f, 1.5f, 2.5f}, t.toFloats());
    }

    @Test
    void conversionsToF32AreExact_f16AndBf16() throws IOException {
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.BF16}) {
            try (Context c = Context.create(1)) {
                Tensor t = c.newTensor("t", GgmlType.F32, 4);
                c.allocate(cpu);
                try (MappedFile f = MappedFile.openForReading(file(type, 6))) {
                    f.copyTo(t, type, new FileRegion.Blocks(2, new long[] {3 + 4 * 2, 3}));
                }
                assertArrayEquals(new float[] {4.5f, 5.5f, 0.5f, 1.5f}, t.toFloats(), type.toString());
            }
        }
    }

    @Test
    void transposedColumns_f16File() throws IOException {
        // The file is a [2 rows x 5 columns] matrix; the tensor [2, 3] takes columns 1..3, transposed.
        Tensor t = ctx.newTensor("t", GgmlType.F32, 2, 3);
        ctx.allocate(cpu);
        try (MappedFile f = MappedFile.openForReading(file(GgmlType.F16, 10))) {
            f.copyTo(t, GgmlType.F16, new FileRegion.Transposed(3, 5, 1));
        }
        // tensor (i, o) = file (row i, column 1 + o) = value(5 i + 1 + o)
        assertArrayEquals(new float[] {1.5f, 6.5f, 2.5f, 7.5f, 3.5f, 8.5f}, t.toFloats());
    }

    @Test
    void writeThenReadBack_f32TensorAsF16RoundsLikeJava() throws IOException {
        float[] values = {0.1f, -2.7f, 1e-3f, 65504f, 3.14159f, -0.0f};
        Tensor source = ctx.newTensor("source", GgmlType.F32, 3, 2);
        ctx.allocate(cpu);
        source.setFloats(values);
        Path path = dir.resolve("out.bin");
        try (MappedFile f = MappedFile.create(path, 5 + 12)) {
            // Tensor rows swapped in the file, and the file is its transpose for a second copy.
            f.copyFrom(source, GgmlType.F16, new FileRegion.Blocks(3, new long[] {5 + 6, 5}));
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        int[] fileOrder = {3, 4, 5, 0, 1, 2};
        for (int i = 0; i < 6; i++) {
            assertEquals(Float.floatToFloat16(values[fileOrder[i]]), bytes.getShort(5 + 2 * i), "element " + i);
        }
    }

    @Test
    void writeTransposedThenReadTransposed_isTheIdentity() throws IOException {
        Tensor source = ctx.newTensor("source", GgmlType.F32, 2, 3);
        Tensor back = ctx.newTensor("back", GgmlType.F32, 2, 3);
        ctx.allocate(cpu);
        source.setFloats(1, 2, 3, 4, 5, 6);
        Path path = dir.resolve("t.bin");
        try (MappedFile f = MappedFile.create(path, 2 * 4 * 4)) {
            f.copyFrom(source, GgmlType.F32, new FileRegion.Transposed(0, 4, 1));
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        // file row i = [0, source(i, 0), source(i, 1), source(i, 2)]
        assertArrayEquals(new float[] {0, 1, 3, 5, 0, 2, 4, 6},
                new float[] {bytes.getFloat(0), bytes.getFloat(4), bytes.getFloat(8), bytes.getFloat(12),
                        bytes.getFloat(16), bytes.getFloat(20), bytes.getFloat(24), bytes.getFloat(28)});
        try (MappedFile f = MappedFile.openForReading(path)) {
            f.copyTo(back, GgmlType.F32, new FileRegion.Transposed(0, 4, 1));
        }
        assertArrayEquals(source.toFloats(), back.toFloats());
    }

    @Test
    void aRegionOutsideTheFileIsRefusedBeforeNativeCode() throws IOException {
        Tensor t = ctx.newTensor("t", GgmlType.F32, 4);
        ctx.allocate(cpu);
        Path path = file(GgmlType.F32, 3);
        try (MappedFile f = MappedFile.openForReading(path)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> f.copyTo(t, GgmlType.F32, FileRegion.contiguous(3, 4)));
            assertEquals(path + ": bytes 3 to 19 lie outside the file's 15 bytes", e.getMessage());
            var count = assertThrows(IllegalArgumentException.class,
                    () -> f.copyTo(t, GgmlType.F32, FileRegion.contiguous(3, 3)));
            assertEquals(path + ": Blocks(1 x 3 elements) do not hold the 4 elements of tensor t f32 [4]",
                    count.getMessage());
        }
    }
}
