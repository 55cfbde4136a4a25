package dev.llmgraph.ggml;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.gguf.GgufValueType;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufMetadataTest;
import dev.llmgraph.ggml.internal.GgufApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link GgufWriter} against ggml's own GGUF writer ({@code gguf_set_*}, {@code gguf_add_tensor},
 * {@code gguf_write_to_file}) on the same content: the files must be equal byte for byte.
 */
class GgufWriterMatchesGgmlTest {

    @Test
    void metadataOfEveryTypeAndBackendTensorsGiveTheSameBytesAsGgml(@TempDir Path dir) throws IOException {
        Path ours = dir.resolve("ours.gguf");
        Path theirs = dir.resolve("ggml.gguf");
        GgufWriter writer = GgufMetadataTest.everyType();
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(3); Arena arena = Arena.ofConfined()) {
            Tensor embeddings = ctx.newTensor("token_embd.weight", GgmlType.F32, 8, 5);
            Tensor norm = ctx.newTensor("output_norm.weight", GgmlType.F32, 8); // 32 bytes: no padding after it
            Tensor half = ctx.newTensor("blk.0.attn_q.weight", GgmlType.F16, 8, 3); // 48 bytes: 16 bytes of padding
            ctx.allocate(cpu);
            embeddings.setFloats(sequence(40));
            norm.setFloats(sequence(8));
            half.setFloats(sequence(24));
            writer.addTensor(embeddings).addTensor(half).addTensor(norm).write(ours);

            MemorySegment gguf = GgufApi.gguf_init_empty();
            try {
                writer.metadata().forEach((key, value) -> set(arena, gguf, key, value));
                for (Tensor t : List.of(embeddings, half, norm)) {
                    GgufApi.gguf_add_tensor(gguf, t.pointer());
                }
                assertTrue(GgufApi.gguf_write_to_file(gguf, arena.allocateFrom(theirs.toString()), false));
            } finally {
                GgufApi.gguf_free(gguf);
            }
        }
        byte[] ourBytes = Files.readAllBytes(ours);
        byte[] theirBytes = Files.readAllBytes(theirs);
        assertEquals(theirBytes.length, ourBytes.length);
        assertEquals(-1, java.util.Arrays.mismatch(theirBytes, ourBytes), "first differing byte");
    }

    private static float[] sequence(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.25f - 3;
        }
        return values;
    }

    /** The same key and value through ggml's setters. */
    private static void set(Arena arena, MemorySegment gguf, String name, GgufValue value) {
        MemorySegment key = arena.allocateFrom(name);
        switch (value) {
            case GgufValue.IntegerValue v -> {
                switch (v.type()) {
                    case UINT8 -> GgufApi.gguf_set_val_u8(gguf, key, (byte) v.value());
                    case INT8 -> GgufApi.gguf_set_val_i8(gguf, key, (byte) v.value());
                    case UINT16 -> GgufApi.gguf_set_val_u16(gguf, key, (short) v.value());
                    case INT16 -> GgufApi.gguf_set_val_i16(gguf, key, (short) v.value());
                    case UINT32 -> GgufApi.gguf_set_val_u32(gguf, key, (int) v.value());
                    case INT32 -> GgufApi.gguf_set_val_i32(gguf, key, (int) v.value());
                    case UINT64 -> GgufApi.gguf_set_val_u64(gguf, key, v.value());
                    default -> GgufApi.gguf_set_val_i64(gguf, key, v.value());
                }
            }
            case GgufValue.FloatValue v -> {
                if (v.type() == GgufValueType.FLOAT32) {
                    GgufApi.gguf_set_val_f32(gguf, key, (float) v.value());
                } else {
                    GgufApi.gguf_set_val_f64(gguf, key, v.value());
                }
            }
            case GgufValue.BoolValue v -> GgufApi.gguf_set_val_bool(gguf, key, v.value());
            case GgufValue.StringValue v -> GgufApi.gguf_set_val_str(gguf, key, arena.allocateFrom(v.value()));
            case GgufValue.IntegerArray a -> {
                int size = a.elementType().byteSize();
                MemorySegment data = arena.allocate(Math.max(1, (long) size * a.values().length));
                for (int i = 0; i < a.values().length; i++) {
                    for (int b = 0; b < size; b++) {
                        data.set(ValueLayout.JAVA_BYTE, (long) i * size + b, (byte) (a.values()[i] >>> (8 * b)));
                    }
                }
                GgufApi.gguf_set_arr_data(gguf, key, a.elementType().id(), data, a.values().length);
            }
            case GgufValue.FloatArray a -> {
                MemorySegment data = a.elementType() == GgufValueType.FLOAT32
                        ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, floats(a.values()))
                        : arena.allocateFrom(ValueLayout.JAVA_DOUBLE, a.values());
                GgufApi.gguf_set_arr_data(gguf, key, a.elementType().id(), data, a.values().length);
            }
            case GgufValue.BoolArray a -> {
                MemorySegment data = arena.allocate(a.values().length);
                for (int i = 0; i < a.values().length; i++) {
                    data.set(ValueLayout.JAVA_BYTE, i, (byte) (a.values()[i] ? 1 : 0));
                }
                GgufApi.gguf_set_arr_data(gguf, key, GgufValueType.BOOL.id(), data, a.values().length);
            }
            case GgufValue.StringArray a -> {
                MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(1, a.values().size()));
                for (int i = 0; i < a.values().size(); i++) {
                    pointers.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(a.values().get(i)));
                }
                GgufApi.gguf_set_arr_str(gguf, key, pointers, a.values().size());
            }
        }
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
