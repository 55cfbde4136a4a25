package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;

import java.lang.foreign.MemorySegment;

/**
 * Where a buffer's memory comes from and how tensors are laid out in it: a backend's default (host RAM,
 * GPU memory) or an extra type such as the CPU backend's {@code CPU_REPACK}, which rearranges quantized
 * weights into interleaved blocks for faster matrix products (llama.cpp uses it by default on CPUs with
 * AVX2). Tensors in a repacking buffer can be written and multiplied, but not read back.
 */
public final class BufferType {
    private final MemorySegment buft;
    private final String name;
    private final boolean readable;
    private final RpcEndpoint remote;

    /** {@code readable}: false for a backend's extra types, whose buffers have no way to read data back. */
    BufferType(MemorySegment buft, boolean readable) {
        this(buft, readable, null);
    }

    /** {@code remote}: the RPC server whose memory this is, or null for memory of this process. */
    BufferType(MemorySegment buft, boolean readable, RpcEndpoint remote) {
        this.buft = buft;
        this.name = BackendApi.ggml_backend_buft_name(buft);
        this.readable = readable;
        this.remote = remote;
    }

    /** The RPC server whose memory this is, or null for memory of this process. */
    RpcEndpoint remote() {
        return remote;
    }

    public String name() {
        return name;
    }

    /** Whether data can be read back from tensors in this buffer type (false for repacking types). */
    public boolean readable() {
        return readable;
    }

    MemorySegment handle() {
        return buft;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BufferType b && b.buft.address() == buft.address();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(buft.address());
    }

    @Override
    public String toString() {
        return name;
    }
}
