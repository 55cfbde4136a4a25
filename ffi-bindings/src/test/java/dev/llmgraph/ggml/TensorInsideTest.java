package dev.llmgraph.ggml;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link TensorsInside#newTensorInside}: parts of an allocated stack that share its memory, as q, k and v share a
 * stored {@code attn_qkv}. The reference is the stack itself: its bytes are the parts' bytes in order, a product by
 * the stack has the parts' products as its row ranges, and a part stays a leaf (op NONE) that training can update.
 */
@Tag("gpu")
class TensorInsideTest {
    /** Rows of three parts, multiples of 32 as heads are, so every part starts at ggml's alignment. */
    private static final int[] ROWS = {64, 32, 32};
    private static final int WIDTH = 64;

    static Stream<?> types() {
        return Backends.crossed(Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0));
    }

    /**
     * Writes through the parts reach the stack and the other way round; the product by the stack equals the three
     * products by the parts, bit for bit (the same kernel reads the same rows). Q8_0 rows of 64 are padded on
     * CUDA, which writes zeros past a part when it is placed: all parts are placed before any value is written.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("types")
    void partsShareTheStacksMemory(String backendName, GgmlType type) {
        int total = Arrays.stream(ROWS).sum();
        RandomInputs random = RandomInputs.forCase(backendName, type);
        try (Backend backend = Backends.open(backendName); Context weights = Context.create(4);
             Arena arena = Arena.ofConfined()) {
            Tensor stack = weights.newTensor("stack", type, WIDTH, total);
            weights.allocate(backend);
            Tensor[] parts = new Tensor[ROWS.length];
            long offset = 0;
            for (int i = 0; i < ROWS.length; i++) {
                parts[i] = TensorsInside.newTensorInside(weights, stack, offset, "part" + i, type, WIDTH, ROWS[i]);
                offset += type.rowBytes(WIDTH) * ROWS[i];
            }
            MemorySegment expected = arena.allocate(stack.byteSize());
            long at = 0;
            for (Tensor part : parts) {
                part.setFloats(random.uniform((int) part.elementCount(), -1, 1));
                MemorySegment.copy(readRaw(arena, part), 0, expected, at, part.byteSize());
                at += part.byteSize();
                assertEquals("NONE", part.op());
            }
            assertArrayEquals(expected.toArray(ValueLayout.JAVA_BYTE),
                    readRaw(arena, stack).toArray(ValueLayout.JAVA_BYTE), "the stack holds the parts' bytes in order");

            try (Context graph = Context.create(16, Backends.GRAPH_NODES)) {
                Tensor x = graph.newTensor("x", GgmlType.F32, WIDTH, 3);
                graph.allocate(backend);
                x.setFloats(random.uniform(WIDTH * 3, -1, 1));
                float[] whole = Backends.computeAndRead(backend, graph, graph.mulMat(stack, x));
                int from = 0;
                for (int i = 0; i < ROWS.length; i++) {
                    float[] part = Backends.computeAndRead(backend, graph, graph.mulMat(parts[i], x));
                    for (int t = 0; t < 3; t++) {
                        assertArrayEquals(Arrays.copyOfRange(whole, t * total + from, t * total + from + ROWS[i]),
                                Arrays.copyOfRange(part, t * ROWS[i], (t + 1) * ROWS[i]),
                                "part " + i + ", token " + t + "; " + RandomInputs.reproduce());
                    }
                    from += ROWS[i];
                }
            }
        }
    }

    private static MemorySegment readRaw(Arena arena, Tensor t) {
        MemorySegment bytes = arena.allocate(t.byteSize());
        t.getRaw(bytes);
        return bytes;
    }

    /** A write through the stack shows in its part. */
    @Test
    void aWriteToTheStackShowsInThePart() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(4)) {
            Tensor stack = ctx.newTensor("stack", GgmlType.F32, 8, 4);
            ctx.allocate(cpu);
            Tensor second = TensorsInside.newTensorInside(ctx, stack, 2 * 8 * 4, "rows 2-3", GgmlType.F32, 8, 2);
            float[] values = new float[32];
            for (int i = 0; i < 32; i++) {
                values[i] = i;
            }
            stack.setFloats(values);
            assertArrayEquals(Arrays.copyOfRange(values, 16, 32), second.toFloats());
        }
    }

    @Test
    void placementsGgmlWouldAbortOnAreRefusedInWords() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(8); Context other = Context.create(2)) {
            Tensor stack = ctx.newTensor("stack", GgmlType.F32, 8, 4);
            IllegalArgumentException unallocated = assertThrows(IllegalArgumentException.class,
                    () -> TensorsInside.newTensorInside(ctx, stack, 0, "p", GgmlType.F32, 8, 1));
            assertEquals("newTensorInside: stack f32 [8, 4] has no memory of its own (allocate the context first; a "
                    + "view cannot hold parts)", unallocated.getMessage());
            ctx.allocate(cpu);
            IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                    () -> TensorsInside.newTensorInside(ctx, stack, 96, "p", GgmlType.F32, 8, 2));
            assertEquals("newTensorInside: 64 bytes at offset 96 reach past the 128 bytes of stack f32 [8, 4]",
                    past.getMessage());
            IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
                    () -> TensorsInside.newTensorInside(ctx, stack, 4, "p", GgmlType.F32, 8, 1));
            assertEquals("newTensorInside: offset 4 is not a whole number of f32 blocks (4 bytes each) and of ggml's "
                    + "alignment (32 bytes) from the start of stack f32 [8, 4]", misaligned.getMessage());
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                    () -> TensorsInside.newTensorInside(other, stack, 0, "p", GgmlType.F32, 8, 1));
            assertEquals("newTensorInside: stack f32 [8, 4] belongs to another context; a part must live in the "
                    + "context that owns its memory", foreign.getMessage());
            assertEquals(1, ctx.tensors().size(), "a refused part leaves nothing behind");
        }
    }
}
