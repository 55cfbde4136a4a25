package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Buffer;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Tensors that live with their layers (KV caches, recurrent states): one ggml context, and then one buffer, per
 * backend that holds some of them. On one device this is one context and one buffer, as before a model could be
 * split.
 */
final class PlacedContexts implements AutoCloseable {
    private final int capacity;
    private final Map<Backend, Context> contexts = new IdentityHashMap<>();
    private final Map<Backend, Buffer> buffers = new IdentityHashMap<>();

    /** {@code capacity}: the most tensors one backend may get. */
    PlacedContexts(int capacity) {
        this.capacity = capacity;
    }

    Tensor newTensor(Backend backend, String name, GgmlType type, long... ne) {
        return contexts.computeIfAbsent(backend, b -> Context.create(capacity)).newTensor(name, type, ne);
    }

    /** Gives every tensor memory on its backend, zeroed. */
    void allocate() {
        for (var e : contexts.entrySet()) {
            Buffer buffer = e.getValue().allocate(e.getKey());
            buffer.clear((byte) 0);
            buffers.put(e.getKey(), buffer);
        }
    }

    void clear() {
        buffers.values().forEach(b -> b.clear((byte) 0));
    }

    long byteSize() {
        return buffers.values().stream().mapToLong(Buffer::byteSize).sum();
    }

    /** Bytes on {@code backend}. */
    long byteSize(Backend backend) {
        Buffer buffer = buffers.get(backend);
        return buffer == null ? 0 : buffer.byteSize();
    }

    @Override
    public void close() {
        contexts.values().forEach(Context::close);
    }
}
