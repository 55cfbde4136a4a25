package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Fused tensors as llama.cpp stores them: {@link GgufWriter#addTensor(String, List)} stacks parts (q, k, v
 * rows into attn_qkv) and {@link GgufFile#copyPartTo} takes them apart again. References: the parts' own
 * values, concatenated in Java (exact for F32, and for Q8_0 too, because quantization works block by block
 * within a row, so stacking rows commutes with quantizing them).
 */
class GgufStackedTensorsTest {
    private static float[] random(long seed, int n) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static float[] concat(float[]... parts) {
        float[] out = new float[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void q8_0MatricesStackRowByRowAndSplitBackByteForByte(@TempDir Path dir) {
        Path file = dir.resolve("qkv.gguf");
        float[] q = random(1, 64 * 4), k = random(2, 64 * 2), v = random(3, 64 * 2);
        float[] qBack, kBack, vBack;
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(3)) {
            Tensor tq = ctx.newTensor("q", GgmlType.Q8_0, 64, 4);
            Tensor tk = ctx.newTensor("k", GgmlType.Q8_0, 64, 2);
            Tensor tv = ctx.newTensor("v", GgmlType.Q8_0, 64, 2);
            ctx.allocate(cpu);
            tq.setFloats(q);
            tk.setFloats(k);
            tv.setFloats(v);
            qBack = tq.toFloats();
            kBack = tk.toFloats();
            vBack = tv.toFloats();
            new GgufWriter().addTensor("attn_qkv", List.of(tq, tk, tv)).write(file);
        }
        try (GgufFile gguf = GgufFile.open(file); Backend cpu = Backend.cpu(1); Context ctx = Context.create(3)) {
            assertArrayEquals(new long[] {64, 8}, gguf.tensor("attn_qkv").shape());
            assertArrayEquals(concat(qBack, kBack, vBack), gguf.floats("attn_qkv"));
            Tensor k2 = ctx.newTensor(GgmlType.Q8_0, 64, 2);
            Tensor v2 = ctx.newTensor(GgmlType.Q8_0, 64, 2);
            ctx.allocate(cpu);
            gguf.copyPartTo("attn_qkv", 64 * 4, k2);
            gguf.copyPartTo("attn_qkv", 64 * 6, v2);
            assertArrayEquals(kBack, k2.toFloats());
            assertArrayEquals(vBack, v2.toFloats());
        }
    }

    @Test
    void vectorsStackIntoOneLongerVector(@TempDir Path dir) {
        Path file = dir.resolve("bias.gguf");
        float[] a = random(4, 8), b = random(5, 3);
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(2)) {
            Tensor ta = ctx.newTensor("a", GgmlType.F32, 8);
            Tensor tb = ctx.newTensor("b", GgmlType.F32, 3);
            ctx.allocate(cpu);
            ta.setFloats(a);
            tb.setFloats(b);
            new GgufWriter().addTensor("attn_qkv.bias", List.of(ta, tb)).write(file);
        }
        try (GgufFile gguf = GgufFile.open(file); Backend cpu = Backend.cpu(1); Context ctx = Context.create(1)) {
            assertArrayEquals(new long[] {11}, gguf.tensor("attn_qkv.bias").shape());
            Tensor part = ctx.newTensor(GgmlType.F32, 3);
            ctx.allocate(cpu);
            gguf.copyPartTo("attn_qkv.bias", 8, part);
            assertArrayEquals(b, part.toFloats());
        }
    }

    @Test
    void partsOfDifferentTypesOrRowLengthsAreRefused() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(3)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 32, 2);
            Tensor b = ctx.newTensor("b", GgmlType.F16, 32, 2);
            Tensor c = ctx.newTensor("c", GgmlType.F32, 16, 2);
            ctx.allocate(cpu);
            assertEquals("tensor 'ab': part b f16 [32, 2] is f16, not f32 like the first part",
                    assertThrows(IllegalArgumentException.class,
                            () -> new GgufWriter().addTensor("ab", List.of(a, b))).getMessage());
            assertEquals("tensor 'ac': part c f32 [16, 2] has rows of 16 elements, not 32 like the first part",
                    assertThrows(IllegalArgumentException.class,
                            () -> new GgufWriter().addTensor("ac", List.of(a, c))).getMessage());
        }
    }

    @Test
    void aPartMustBeWholeRowsOfTheSameType(@TempDir Path dir) {
        Path file = dir.resolve("w.gguf");
        new GgufWriter().addTensor("w", GgmlType.Q8_0, random(6, 64 * 3), 64, 3).write(file);
        try (GgufFile gguf = GgufFile.open(file); Backend cpu = Backend.cpu(1); Context ctx = Context.create(3)) {
            Tensor rows = ctx.newTensor("rows", GgmlType.Q8_0, 64, 2);
            Tensor f32 = ctx.newTensor("f32", GgmlType.F32, 64, 1);
            Tensor narrow = ctx.newTensor("narrow", GgmlType.Q8_0, 32, 1);
            ctx.allocate(cpu);
            String prefix = file.toAbsolutePath() + ": cannot copy part of tensor 'w' (q8_0 [64, 3]) into ";
            assertEquals(prefix + "rows q8_0 [64, 2]: element 32 does not start a row",
                    assertThrows(IllegalArgumentException.class, () -> gguf.copyPartTo("w", 32, rows)).getMessage());
            assertEquals(prefix + "rows q8_0 [64, 2]: elements 128 to 255 are outside its 192",
                    assertThrows(IllegalArgumentException.class, () -> gguf.copyPartTo("w", 128, rows)).getMessage());
            assertEquals(prefix + "f32 f32 [64]: its type is q8_0 but the target is f32",
                    assertThrows(IllegalArgumentException.class, () -> gguf.copyPartTo("w", 0, f32)).getMessage());
            assertEquals(prefix + "narrow q8_0 [32]: its rows have 64 elements but the target's have 32",
                    assertThrows(IllegalArgumentException.class, () -> gguf.copyPartTo("w", 0, narrow)).getMessage());
        }
    }

    @Test
    void floatsConvertF16LikeJavasHalfPrecision(@TempDir Path dir) {
        Path file = dir.resolve("h.gguf");
        float[] values = random(7, 40);
        new GgufWriter().addTensor("h", GgmlType.F16, values, 8, 5).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            float[] back = gguf.floats("h");
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), back[i], 0f, "element " + i);
            }
        }
    }
}
