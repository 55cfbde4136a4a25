package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tensors placed in a mapped file read the file's bytes (checked against the floats java.nio wrote, exactly),
 * compute with them, never write back to the file, and every precondition ggml would assert on is a Java
 * exception whose message is checked word for word.
 */
class MappedTensorsTest {
    @TempDir
    Path dir;

    /** 32 bytes of header, then floats 0.5, 1.5, ... (F32 little-endian). */
    private Path file(int floats) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32 + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(32);
        for (int i = 0; i < floats; i++) {
            buffer.putFloat(i + 0.5f);
        }
        Path path = dir.resolve("floats.bin");
        Files.write(path, buffer.array());
        return path;
    }

    @Test
    void placedTensorsReadAndComputeWithTheFilesBytesAndWritesStayPrivate() throws IOException {
        Path path = file(16);
        byte[] before = Files.readAllBytes(path);
        int mappings = FileMapping.openMappings();
        try (Backend cpu = Backend.cpu(1); Context weights = Context.create(2); Context graph = Context.create(8, 8)) {
            Tensor a = weights.newTensor("a", GgmlType.F32, 8);
            Tensor b = weights.newTensor("b", GgmlType.F32, 8);
            MappedTensors.place(weights, FileMapping.copyOnWrite(path), List.of(a, b), new long[] {32, 64});
            assertEquals(mappings + 1, FileMapping.openMappings());
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f}, a.toFloats());
            Tensor sum = graph.add(a, b);
            graph.allocate(cpu);
            Graph g = graph.newGraph(8);
            g.expand(sum);
            cpu.compute(g);
            float[] expected = new float[8];
            for (int i = 0; i < 8; i++) {
                expected[i] = (i + 0.5f) + (i + 8.5f);
            }
            assertArrayEquals(expected, sum.toFloats());
            a.setFloats(new float[8]);
            assertArrayEquals(new float[8], a.toFloats());
        }
        assertEquals(mappings, FileMapping.openMappings());
        assertArrayEquals(before, Files.readAllBytes(path));
    }

    @Test
    void anOffsetOffTheAlignmentIsRefusedInWordsAndTheMappingClosed() throws IOException {
        Path path = file(16);
        int mappings = FileMapping.openMappings();
        try (Context ctx = Context.create(1)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 8);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> MappedTensors.place(ctx, FileMapping.copyOnWrite(path), List.of(a), new long[] {36}));
            assertEquals("place: tensor " + a.describe() + " at byte 36 of " + path.toAbsolutePath()
                    + " is not at a multiple of 32; copy it instead", e.getMessage());
            assertEquals(mappings, FileMapping.openMappings());
            assertTrue(!a.hasData());
        }
    }

    @Test
    void aTensorPastTheEndOfTheFileIsRefusedInWords() throws IOException {
        Path path = file(16);
        try (Context ctx = Context.create(1)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 16);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> MappedTensors.place(ctx, FileMapping.copyOnWrite(path), List.of(a), new long[] {64}));
            assertEquals("place: tensor " + a.describe() + " at byte 64 would reach past the end of "
                    + path.toAbsolutePath() + " (96 bytes)", e.getMessage());
        }
    }

    @Test
    void aClosedMappingIsAJavaException() throws IOException {
        FileMapping mapping = FileMapping.copyOnWrite(file(8));
        mapping.close();
        var e = assertThrows(IllegalStateException.class, mapping::bytes);
        assertEquals("the mapping of " + mapping.path() + " was closed", e.getMessage());
    }
}
