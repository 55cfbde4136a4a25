package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@link GgufWriter} and {@link GgufValue} refuse what a GGUF file cannot hold, at the call that asks for it. */
class GgufWriterErrorsTest {
    private static String message(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }

    @Test
    void keysAndValues() {
        GgufWriter w = new GgufWriter();
        assertEquals("a GGUF key cannot be empty", message(() -> w.putBool("", true)));
        assertEquals("GGUF key 'a?b' contains a NUL character, which C readers cannot look up",
                message(() -> w.putBool("a\0b", true)));
        assertEquals("key 'general.alignment' must be a u32 power of two, not u32 48", message(() -> w.alignment(48)));
        assertEquals("key 'general.alignment' must be a u32 power of two, not i32 64",
                message(() -> w.putInt32("general.alignment", 64)));
        assertEquals("u8 value 256 is out of range 0 to 255", message(() -> GgufValue.uint8(256)));
        assertEquals("u32 value -1 (element 1) is out of range 0 to 4294967295",
                message(() -> GgufValue.integers(GgufValueType.UINT32, 1, -1)));
        assertEquals("an integer GGUF value needs an integer type (u8, i8, u16, i16, u32, i32, u64, i64), not f32",
                message(() -> GgufValue.integers(GgufValueType.FLOAT32, 1)));
        assertEquals("f32 value 0.1 is not exactly a float; pass (float) 0.1 or use f64",
                message(() -> new GgufValue.FloatValue(GgufValueType.FLOAT32, 0.1)));
    }

    @Test
    void replacingAKeyKeepsItsPlace() {
        GgufWriter w = new GgufWriter().putInt32("a", 1).putInt32("b", 2).putString("a", "again");
        assertEquals(java.util.List.of("a", "b"), java.util.List.copyOf(w.metadata().keySet()));
        assertEquals(GgufValue.string("again"), w.metadata().get("a"));
    }

    @Test
    void tensors() {
        GgufWriter w = new GgufWriter().addTensor("w", new float[6], 2, 3);
        assertEquals("tensor 'w' was already added; tensor names in a GGUF file must be unique",
                message(() -> w.addTensor("w", new float[6], 6)));
        assertEquals("tensor 'x': shape [2, 3] holds 6 values but 5 were given",
                message(() -> w.addTensor("x", new float[5], 2, 3)));
        assertEquals("tensor 'x': shape [2, 0] has a size below 1", message(() -> w.addTensor("x", new float[0], 2, 0)));
        assertEquals("tensor 'x': a shape has 1 to 4 sizes (ggml order), got [1, 1, 1, 1, 1]",
                message(() -> w.addTensor("x", new float[1], 1, 1, 1, 1, 1)));
        assertEquals("tensor 'x': q8_0 stores rows in blocks of 32 elements, so a row length of 30 is not possible",
                message(() -> w.addTensor("x", GgmlType.Q8_0, new float[60], 30, 2)));
        assertEquals("tensor 'x': float values cannot be stored as i32; use f32, f16, bf16 or a quantized type",
                message(() -> w.addTensor("x", GgmlType.I32, new float[4], 4)));
        assertEquals("tensor 'x': ggml has no routine to quantize floats to q8_1; use q8_0, q4_0, q4_k or another "
                + "quantized type", message(() -> w.addTensor("x", GgmlType.Q8_1, new float[32], 32)));
        assertEquals("tensor 'x': iq2_xxs needs an importance matrix to quantize; llmgraph quantizes to types that do "
                + "not (q8_0, q4_0, q4_k, ...)", message(() -> w.addTensor("x", GgmlType.IQ2_XXS, new float[256], 256)));
        String longName = "n".repeat(64);
        assertEquals("tensor name '" + longName + "' is not possible: ggml keeps names of at most 63 bytes without NUL "
                + "characters", message(() -> w.addTensor(longName, new float[1], 1)));
        try (Context ctx = Context.create(1)) {
            Tensor unnamed = ctx.newTensor(GgmlType.F32, 4);
            assertEquals("a tensor in a GGUF file needs a name; name it with Tensor.name(...) or pass one to addTensor",
                    message(() -> w.addTensor(unnamed)));
        }
    }

    @Test
    void setFloatsIntoATypeGgmlCannotQuantizeToIsRefusedInsteadOfAborting() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(1)) {
            Tensor t = ctx.newTensor("t", GgmlType.Q8_1, 32);
            ctx.allocate(cpu);
            assertEquals("ggml has no routine to quantize floats to q8_1; use q8_0, q4_0, q4_k or another quantized type",
                    message(() -> t.setFloats(new float[32])));
        }
    }

    @Test
    void aFileThatCannotBePlacedIsRefusedBeforeWriting(@TempDir Path dir) {
        GgufWriter w = new GgufWriter().addTensor("w", new float[2], 2);
        Path missing = dir.resolve("no-such-folder").resolve("model.gguf");
        assertEquals(missing + ": cannot be written: the folder " + missing.getParent() + " does not exist; create it "
                + "first (mkdir -p, or Files.createDirectories)",
                assertThrows(GgufException.class, () -> w.write(missing)).getMessage());
        assertEquals(dir + ": cannot be written: it is a folder; name a file inside it, such as "
                + dir.resolve("model.gguf"), assertThrows(GgufException.class, () -> w.write(dir)).getMessage());
        assertTrue(Files.isDirectory(dir), "the folder is left as it was");
        w.write(dir.resolve("w.gguf"));
        try (GgufFile file = GgufFile.open(dir.resolve("w.gguf"))) {
            assertEquals(2 * Float.BYTES, file.tensor("w").byteSize(), "a file in an existing folder is written");
        }
    }
}
