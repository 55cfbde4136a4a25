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

    /** Buffers allocated and not yet closed in this JVM, and their bytes: what a leak test watches. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicLong OPEN_BYTES = new java.util.concurrent.atomic.AtomicLong();

    private final MemorySegment buffer;
    private final BufferType type;
    private final long bytes;
    /** Memory the buffer only borrows (a file mapping), released after the buffer; null for memory it owns. */
    private final AutoCloseable borrowed;
    private boolean closed;

    private Buffer(MemorySegment buffer, BufferType type) {
        this(buffer, type, null);
    }

    private Buffer(MemorySegment buffer, BufferType type, AutoCloseable borrowed) {
        this.buffer = buffer;
        this.type = type;
        this.borrowed = borrowed;
        this.bytes = BackendApi.ggml_backend_buffer_get_size(buffer);
        OPEN.incrementAndGet();
        OPEN_BYTES.addAndGet(bytes);
    }

    /** Buffers of this class allocated and not yet closed, in this JVM. */
    public static int openBuffers() {
        return OPEN.get();
    }

    /** The bytes of {@link #openBuffers()}. */
    public static long openBytes() {
        return OPEN_BYTES.get();
    }

    static Buffer allocate(Context ctx, BufferType type) {
        if (type.remote() != null) {
            RpcServers.ready(type.remote());
        }
        long needed = bytesNeeded(ctx, type);
        DeviceMemory.requireRoom(type, needed);
        MemorySegment buffer = BackendApi.ggml_backend_alloc_ctx_tensors_from_buft(ctx.handle(), type.handle());
        if (Downcalls.isNull(buffer)) {
            throw new GgmlException("could not allocate " + DeviceMemory.gib(needed) + " in a " + type
                    + " buffer for the tensors of this context (out of memory?)");
        }
        BackendApi.ggml_backend_buffer_set_usage(buffer, USAGE_WEIGHTS);
        return new Buffer(buffer, type);
    }

    /**
     * A weights buffer over memory that {@code borrowed} owns (a {@link FileMapping}), which it releases when
     * the buffer closes.
     */
    static Buffer over(MemorySegment buffer, BufferType type, AutoCloseable borrowed) {
        BackendApi.ggml_backend_buffer_set_usage(buffer, USAGE_WEIGHTS);
        return new Buffer(buffer, type, borrowed);
    }

    /** Bytes the tensors of {@code ctx} that have no memory yet take in {@code type}, with its alignment. */
    private static long bytesNeeded(Context ctx, BufferType type) {
        long alignment = BackendApi.ggml_backend_buft_get_alignment(type.handle());
        long total = 0;
        for (Tensor t : ctx.tensors()) {
            if (!t.hasData()) {
                long size = BackendApi.ggml_backend_buft_get_alloc_size(type.handle(), t.pointer());
                total += (size + alignment - 1) / alignment * alignment;
            }
        }
        return total;
    }

    /** Size in bytes. */
    public long byteSize() {
        ensureOpen();
        return BackendApi.ggml_backend_buffer_get_size(buffer);
    }

    /** Sets every byte to {@code value}. */
    public void clear(byte value) {
        ensureOpen();
        if (type.remote() != null) {
            RpcServers.check(type.remote());
        }
        BackendApi.ggml_backend_buffer_clear(buffer, value);
    }

    public BufferType type() {
        return type;
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
            // Freeing memory on an RPC server is a message, which ggml's client would abort on if the server has
            // gone; its memory went with it, so nothing is left to free there.
            if (type.remote() == null || !RpcServers.lost(type.remote())) {
                BackendApi.ggml_backend_buffer_free(buffer);
            }
            closed = true;
            OPEN.decrementAndGet();
            OPEN_BYTES.addAndGet(-bytes);
            if (borrowed != null) {
                try {
                    borrowed.close();
                } catch (Exception e) {
                    throw e instanceof RuntimeException r ? r : new GgmlException("could not release " + borrowed + ": " + e);
                }
            }
        }
    }
}
