package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;

import java.lang.foreign.MemorySegment;

/**
 * Backend memory (host RAM or GPU memory) holding the data of a context's tensors, typically a model's
 * weights. Freed by {@link #close()} or with its context.
 */
public final class Buffer implements AutoCloseable {
    /** ggml_backend_buffer_usage: weights are never overwritten by graph allocations. */
    private static final int USAGE_WEIGHTS = 1;

    private final MemorySegment buffer;
    private final String backendName;
    private boolean closed;

    private Buffer(MemorySegment buffer, String backendName) {
        this.buffer = buffer;
        this.backendName = backendName;
    }

    static Buffer allocate(Context ctx, Backend backend) {
        MemorySegment buffer = BackendApi.ggml_backend_alloc_ctx_tensors_from_buft(ctx.handle(), backend.bufferType());
        if (Downcalls.isNull(buffer)) {
            throw new GgmlException("could not allocate a buffer on " + backend.name() + " for the tensors of this "
                    + "context (out of memory?)");
        }
        BackendApi.ggml_backend_buffer_set_usage(buffer, USAGE_WEIGHTS);
        return new Buffer(buffer, backend.name());
    }

    /** Size in bytes. */
    public long byteSize() {
        ensureOpen();
        return BackendApi.ggml_backend_buffer_get_size(buffer);
    }

    /** Sets every byte to {@code value}. */
    public void clear(byte value) {
        ensureOpen();
        BackendApi.ggml_backend_buffer_clear(buffer, value);
    }

    public String backendName() {
        return backendName;
    }

    long address() {
        return buffer.address();
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this buffer was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            BackendApi.ggml_backend_buffer_free(buffer);
            closed = true;
        }
    }
}
