package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A GPU's pinned host memory that a graph's output is copied into on the GPU's own stream, right behind the
 * graph, so that computing and reading back wait for the GPU once; the floats then go to the Java heap with a
 * plain memory copy. Reading straight into a Java array instead makes the driver stage the copy through its
 * own pinned buffer, and waits a second time. llama.cpp reads its logits the same way.
 */
final class HostStaging implements AutoCloseable {
    private final BufferType pinned;
    private Context ctx;
    private Tensor floats;

    HostStaging(BufferType pinned) {
        this.pinned = pinned;
    }

    /** The address of room for {@code count} floats, valid until the next call. */
    MemorySegment room(long count) {
        if (floats == null || floats.elementCount() < count) {
            close();
            ctx = Context.create(1);
            floats = ctx.newTensor(GgmlType.F32, count);
            ctx.allocate(pinned);
        }
        return TensorStruct.data(floats.pointer()).reinterpret(count * Float.BYTES);
    }

    /** The first {@code count} floats copied there. */
    float[] read(long count) {
        float[] out = new float[Math.toIntExact(count)];
        MemorySegment.copy(room(count), ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        if (ctx != null) {
            ctx.close();
            ctx = null;
            floats = null;
        }
    }
}
