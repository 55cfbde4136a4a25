package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tensors written by {@link GgufWriter} and copied back into backend tensors by {@link GgufFile#copyTo}.
 * References: the written floats themselves (F32, exact), Java's own IEEE half-precision rounding
 * ({@link Float#floatToFloat16}, exact for F16), and the quantization error bound of each block format
 * (Q8_0: half a step, amax/254; Q4_0: one step, amax/8, because the value opposite the block's extreme
 * can be clamped from +8 to +7 steps).
 */
class GgufTensorRoundTripTest {
    private static float[] random(long seed, int n) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Writes {@code values} as {@code type} with shape [64, 3], reads them back as floats. */
    private static float[] roundTrip(Path dir, GgmlType type, float[] values) {
        Path file = dir.resolve(type + ".gguf");
        new GgufWriter().addTensor("w", type, values, 64, 3).write(file);
        try (GgufFile gguf = GgufFile.open(file); Backend cpu = Backend.cpu(1); Context ctx = Context.create(1)) {
            GgufTensorInfo info = gguf.tensor("w");
            assertEquals(type, info.type());
            assertArrayEquals(new long[] {64, 3}, info.shape());
            assertEquals(3 * type.rowBytes(64), info.byteSize());
            Tensor target = ctx.newTensor("w", type, 64, 3);
            ctx.allocate(cpu);
            gguf.copyTo("w", target);
            return target.toFloats();
        }
    }

    @Test
    void f32ValuesComeBackExactly(@TempDir Path dir) {
        float[] values = random(1, 192);
        assertArrayEquals(values, roundTrip(dir, GgmlType.F32, values));
    }

    @Test
    void f16ValuesMatchJavasHalfPrecisionRounding(@TempDir Path dir) {
        float[] values = random(2, 192);
        float[] back = roundTrip(dir, GgmlType.F16, values);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), back[i], 0.0f, "element " + i);
        }
    }

    @Test
    void q8_0ValuesAreWithinHalfAStepOfTheirBlock(@TempDir Path dir) {
        float[] values = random(3, 192);
        assertWithinBlockBound(values, roundTrip(dir, GgmlType.Q8_0, values), 254);
    }

    @Test
    void q4_0ValuesAreWithinOneStepOfTheirBlock(@TempDir Path dir) {
        float[] values = random(4, 192);
        assertWithinBlockBound(values, roundTrip(dir, GgmlType.Q4_0, values), 8);
    }

    /** Each value within amax(block of 32) / divisor, plus fp16 rounding of the block scale. */
    private static void assertWithinBlockBound(float[] values, float[] back, double divisor) {
        for (int block = 0; block < values.length / 32; block++) {
            double amax = 0;
            for (int i = block * 32; i < block * 32 + 32; i++) {
                amax = Math.max(amax, Math.abs(values[i]));
            }
            double bound = amax / divisor + amax * 1e-3;
            for (int i = block * 32; i < block * 32 + 32; i++) {
                assertEquals(values[i], back[i], bound, "element " + i + " (block " + block + ", amax " + amax + ")");
            }
        }
    }

    @Test
    void backendTensorsAreWrittenInTheirOwnTypeAndOffsetsAreAligned(@TempDir Path dir) {
        Path file = dir.resolve("tensors.gguf");
        float[] weights = random(5, 96);
        int[] ids = {7, -1, 42, 0};
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(4)) {
            Tensor w = ctx.newTensor("blk.0.w", GgmlType.F32, 32, 3);
            Tensor half = ctx.newTensor("blk.0.half", GgmlType.F16, 32, 3);
            Tensor idx = ctx.newTensor("idx", GgmlType.I32, 4);
            ctx.allocate(cpu);
            w.setFloats(weights);
            half.setFloats(weights);
            idx.setInts(ids);
            new GgufWriter().alignment(64).putString("general.architecture", "test")
                    .addTensor(w).addTensor(half).addTensor("renamed", idx).write(file);
        }
        try (GgufFile gguf = GgufFile.open(file); Backend cpu = Backend.cpu(1); Context ctx = Context.create(3)) {
            assertEquals(64, gguf.alignment());
            assertEquals(0, gguf.dataSectionOffset() % 64);
            assertEquals(List.of("blk.0.w", "blk.0.half", "renamed"), gguf.tensors().stream().map(GgufTensorInfo::name).toList());
            for (GgufTensorInfo info : gguf.tensors()) {
                assertEquals(0, info.dataOffset() % 64, info.name());
            }
            assertEquals(GgmlGgufReference.read(file).tensors(), gguf.tensors().stream()
                    .map(t -> new GgufTensorInfo(t.name(), t.type(), t.ne(), t.byteSize(), t.dataOffset())).toList());
            Tensor w = ctx.newTensor(GgmlType.F32, 32, 3);
            Tensor half = ctx.newTensor(GgmlType.F16, 32, 3);
            Tensor idx = ctx.newTensor(GgmlType.I32, 4);
            ctx.allocate(cpu);
            gguf.copyTo("blk.0.w", w);
            gguf.copyTo("blk.0.half", half);
            gguf.copyTo("renamed", idx);
            assertArrayEquals(weights, w.toFloats());
            float[] halfBack = half.toFloats();
            for (int i = 0; i < weights.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(weights[i])), halfBack[i], 0.0f);
            }
            assertArrayEquals(ids, idx.toInts());
        }
    }

    @Test
    void aTensorOfAnotherFileIsCopiedByteForByte(@TempDir Path dir) {
        Path first = dir.resolve("first.gguf");
        Path second = dir.resolve("second.gguf");
        float[] values = random(6, 64 * 3);
        new GgufWriter().addTensor("q", GgmlType.Q8_0, values, 64, 3).write(first);
        try (GgufFile source = GgufFile.open(first)) {
            new GgufWriter().putAll(source.metadata()).copyTensor(source, "q").write(second);
            try (GgufFile copy = GgufFile.open(second)) {
                assertEquals(source.tensor("q"), copy.tensor("q"));
                assertEquals(source.rawData("q").mismatch(copy.rawData("q")), -1L);
            }
        }
    }

    @Test
    void copyToRefusesATargetOfAnotherTypeOrShape(@TempDir Path dir) {
        Path file = dir.resolve("w.gguf");
        new GgufWriter().addTensor("w", random(7, 64), 32, 2).write(file);
        GgufFile gguf = GgufFile.open(file);
        try (Context ctx = Context.create(3)) {
            Tensor wrongShape = ctx.newTensor("t", GgmlType.F32, 2, 32);
            Tensor wrongType = ctx.newTensor("u", GgmlType.F16, 32, 2);
            Tensor unallocated = ctx.newTensor("v", GgmlType.F32, 32, 2);
            String name = file.toAbsolutePath().toString();
            assertEquals(name + ": tensor 'w' is f32 [32, 2] but the target t f32 [2, 32] is not; create the target "
                    + "with the file's type and shape (ggml order)",
                    assertThrows(IllegalArgumentException.class, () -> gguf.copyTo("w", wrongShape)).getMessage());
            assertEquals(name + ": tensor 'w' is f32 [32, 2] but the target u f16 [32, 2] is not; create the target "
                    + "with the file's type and shape (ggml order)",
                    assertThrows(IllegalArgumentException.class, () -> gguf.copyTo("w", wrongType)).getMessage());
            assertEquals("tensor v f32 [32, 2] has no memory yet, so it cannot write data: allocate its context on a "
                    + "backend (Context.allocate) or compute its graph first",
                    assertThrows(IllegalStateException.class, () -> gguf.copyTo("w", unallocated)).getMessage());
            assertEquals(name + ": no tensor 'x' (the file has 1 tensor, e.g. 'w')",
                    assertThrows(GgufException.class, () -> gguf.copyTo("x", unallocated)).getMessage());
            gguf.close(); // descriptions stay, data goes
            assertEquals("GgufFile " + name + " already closed",
                    assertThrows(IllegalStateException.class, () -> gguf.copyTo("w", unallocated)).getMessage());
            assertEquals(1, gguf.tensors().size(), "descriptions stay readable after close");
        } finally {
            gguf.close();
        }
    }
}
