package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.GgmlType;
import java.util.Arrays;

/**
 * One tensor described in a GGUF file.
 *
 * @param name       the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param type       its element type
 * @param shape      sizes in ggml order ({@code shape[0]} is the row length), as many as the file lists
 *                   (0 to 4; missing trailing sizes are 1)
 * @param byteSize   bytes of its data
 * @param dataOffset where its data starts, counted from the start of the file's data section (what the
 *                   file stores; {@link GgufFile#dataSectionOffset()} gives the section's position)
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long byteSize, long dataOffset) {
    public GgufTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** All four sizes in ggml order, padded with ones. */
    public long[] ne() {
        long[] ne = {1, 1, 1, 1};
        System.arraycopy(shape, 0, ne, 0, shape.length);
        return ne;
    }

    public long elementCount() {
        long count = 1;
        for (long size : shape) {
            count *= size;
        }
        return count;
    }

    /** For example {@code blk.0.attn_q.weight q8_0 [32, 32]} (ggml order). */
    public String describe() {
        return name + " " + type + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape)
                && t.byteSize == byteSize && t.dataOffset == dataOffset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "GgufTensorInfo(" + describe() + ", " + byteSize + " bytes at +" + dataOffset + ")";
    }
}
