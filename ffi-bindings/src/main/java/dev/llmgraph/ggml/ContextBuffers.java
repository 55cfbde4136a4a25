package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend buffers a {@link Context} allocated for its tensors: they close with the context, and a
 * tensor in one of them may be used only while it is open (and read only where its type allows).
 */
final class ContextBuffers {
    private final List<Buffer> buffers = new ArrayList<>();

    void add(Buffer buffer) {
        buffers.add(buffer);
    }

    /** Checks that the buffer holding {@code t} (if it is one of these) is open and, for reads, readable. */
    void ensureUsable(Tensor t, boolean read) {
        MemorySegment buffer = TensorStruct.buffer(t.pointer());
        for (Buffer b : buffers) {
            if (b.address() != buffer.address()) {
                continue;
            }
            if (b.isClosed()) {
                throw new IllegalStateException("the buffer that held tensor " + t.describe() + " was closed");
            }
            if (b.type().remote() != null) {
                RpcServers.check(b.type().remote()); // a read or write of a gone server's memory would abort
            }
            if (read && !b.type().readable()) {
                throw new IllegalStateException("tensor " + t.describe() + " lives in a " + b.type() + " buffer, "
                        + "which rearranges its data for faster matrix products and cannot be read back; keep it in "
                        + "the backend's default buffer to read it");
            }
        }
    }

    void closeAll() {
        for (Buffer b : buffers) {
            b.close();
        }
    }
}
