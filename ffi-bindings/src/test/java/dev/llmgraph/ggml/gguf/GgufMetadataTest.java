package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.llama.LlamaSource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * GGUF metadata read by {@link GgufFile} (a Java walk) against ggml's own reader ({@code gguf.h}), which is
 * the reference: every key, type and value must be equal (exactly; floats compared bit for bit).
 */
public class GgufMetadataTest {

    /** One value of each GGUF type, scalars and arrays, at the edges of their ranges. */
    public static GgufWriter everyType() {
        return new GgufWriter()
                .put("t.u8", GgufValue.uint8(255))
                .put("t.i8", GgufValue.int8(-128))
                .put("t.u16", GgufValue.uint16(65535))
                .put("t.i16", GgufValue.int16(-32768))
                .putUint32("t.u32", 4_294_967_295L)
                .putInt32("t.i32", Integer.MIN_VALUE)
                .putUint64("t.u64", -1L) // 2^64 - 1
                .putInt64("t.i64", Long.MIN_VALUE)
                .putFloat32("t.f32", 1.0e-3f)
                .putFloat64("t.f64", Math.PI)
                .putBool("t.bool", true)
                .putString("t.str", "llama \u00fc \uD83E\uDD99")
                .put("t.arr.u8", GgufValue.integers(GgufValueType.UINT8, 0, 1, 255))
                .put("t.arr.i16", GgufValue.integers(GgufValueType.INT16, -32768, 0, 32767))
                .put("t.arr.u32", GgufValue.integers(GgufValueType.UINT32, 0, 4_294_967_295L))
                .put("t.arr.i32", GgufValue.int32s(-1, 0, 1))
                .put("t.arr.u64", GgufValue.integers(GgufValueType.UINT64, 0, -1))
                .put("t.arr.i64", GgufValue.integers(GgufValueType.INT64, Long.MIN_VALUE, Long.MAX_VALUE))
                .put("t.arr.f32", GgufValue.float32s(-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY))
                .put("t.arr.f64", GgufValue.float64s(1e300, -1e-300))
                .put("t.arr.bool", GgufValue.bools(true, false, true))
                .putStrings("t.arr.str", List.of("", "a", "\u00e9t\u00e9", "<0x0A>"))
                .put("t.arr.empty", GgufValue.integers(GgufValueType.INT32));
    }

    @Test
    void everyValueTypeReadsBackAsWrittenAndAsGgmlReadsIt(@TempDir Path dir) {
        GgufWriter writer = everyType();
        Path file = dir.resolve("types.gguf");
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(List.copyOf(writer.metadata().keySet()), List.copyOf(gguf.metadata().keySet()));
            assertEquals(writer.metadata(), gguf.metadata());
            assertEquals(GgmlGgufReference.read(file).metadata(), gguf.metadata());
            assertEquals(3, gguf.version());
            assertEquals(32, gguf.alignment());
            assertTrue(gguf.tensors().isEmpty());
        }
    }

    @Test
    void typedGettersConvertOnlyWithoutLoss(@TempDir Path dir) {
        Path file = dir.resolve("types.gguf");
        everyType().write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(255, gguf.getInt("t.u8"));
            assertEquals(4_294_967_295L, gguf.getLong("t.u32"));
            assertEquals(1.0e-3f, gguf.getFloat("t.f32"));
            assertEquals(Math.PI, gguf.getDouble("t.f64"));
            assertTrue(gguf.getBool("t.bool"));
            assertEquals("llama \u00fc \uD83E\uDD99", gguf.getString("t.str"));
            assertArrayEquals(new int[] {-1, 0, 1}, gguf.getIntArray("t.arr.i32"));
            assertArrayEquals(new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY},
                    gguf.getFloatArray("t.arr.f32"));
            assertArrayEquals(new boolean[] {true, false, true}, gguf.getBoolArray("t.arr.bool"));
            assertEquals(List.of("", "a", "\u00e9t\u00e9", "<0x0A>"), gguf.getStringArray("t.arr.str"));
            assertEquals(GgufValueType.ARRAY, gguf.typeOf("t.arr.u8"));
            assertEquals(GgufValueType.UINT8, gguf.get("t.arr.u8").elementType());

            String name = file.toAbsolutePath().toString();
            assertEquals(name + ": key 't.u32' is u32 4294967295, too large for an int",
                    assertThrows(GgufException.class, () -> gguf.getInt("t.u32")).getMessage());
            assertEquals(name + ": key 't.u64' is u64 18446744073709551615, too large for a long",
                    assertThrows(GgufException.class, () -> gguf.getLong("t.u64")).getMessage());
            assertEquals(name + ": key 't.str' is str \"llama \u00fc \uD83E\uDD99\", not an integer",
                    assertThrows(GgufException.class, () -> gguf.getLong("t.str")).getMessage());
            assertEquals(name + ": key 't.f32' is f32 0.001, not a string",
                    assertThrows(GgufException.class, () -> gguf.getString("t.f32")).getMessage());
            assertEquals(name + ": key 't.arr.str' is arr[str; 4], not an array of integers",
                    assertThrows(GgufException.class, () -> gguf.getLongArray("t.arr.str")).getMessage());
            assertEquals(name + ": no metadata key 'llama.block_count'",
                    assertThrows(GgufException.class, () -> gguf.getInt("llama.block_count")).getMessage());
            assertEquals(name + ": element 1 of key 't.arr.u32' is 4294967295, too large for an int",
                    assertThrows(GgufException.class, () -> gguf.getIntArray("t.arr.u32")).getMessage());
        }
    }

    @Test
    void aStringWithANulByteKeepsItsWholeValue(@TempDir Path dir) {
        Path file = dir.resolve("nul.gguf");
        new GgufWriter().putString("s", "before\0after").write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals("before\0after", gguf.getString("s"));
        }
        // gguf.h hands strings out as C strings, so ggml's reader cannot see past the NUL.
        assertEquals(GgufValue.string("before"), GgmlGgufReference.read(file).metadata().get("s"));
    }

    @TestFactory
    Stream<DynamicTest> llamaCppVocabularyFilesReadAsGgmlReadsThem() {
        return LlamaSource.vocabularies().stream().map(path -> DynamicTest.dynamicTest(
                path.getFileName().toString(), () -> {
                    GgmlGgufReference.Contents reference = GgmlGgufReference.read(path);
                    try (GgufFile gguf = GgufFile.open(path)) {
                        Map<String, GgufValue> metadata = gguf.metadata();
                        assertEquals(List.copyOf(reference.metadata().keySet()), List.copyOf(metadata.keySet()));
                        for (String key : metadata.keySet()) {
                            assertEquals(reference.metadata().get(key), metadata.get(key), key);
                        }
                        assertEquals(reference.tensors(), gguf.tensors().stream()
                                .map(t -> new GgufTensorInfo(t.name(), t.type(), t.ne(), t.byteSize(), t.dataOffset()))
                                .toList());
                        assertEquals(reference.dataSectionOffset(), gguf.dataSectionOffset());
                        assertFalse(gguf.getStringArray("tokenizer.ggml.tokens").isEmpty());
                    }
                }));
    }
}
