package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.InPlaceApi;
import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.MemorySegment;

/**
 * Tensors whose memory is a range of another tensor's, as q, k and v are rows of one stored {@code attn_qkv}: the
 * counterpart of {@link MappedTensors} (tensors placed in a mapped file) for memory a backend buffer already holds,
 * with the same {@code ggml_backend_tensor_alloc}.
 */
public final class TensorsInside {
    private TensorsInside() {}

    /**
     * A new tensor of {@code context} whose memory is the bytes of {@code host} (a tensor of that context, already
     * allocated) from {@code offset} on: a part of a stack. It is not a view: its op is NONE, so it can be written,
     * read and trained like any weight, and every write shows in the host and the other way round. It owns nothing;
     * its memory goes with the host's buffer. Some backends write zeros just past a part when it is placed
     * (ggml-cuda pads quantized rows), so place every part of a host before writing the host's values.
     */
    public static Tensor newTensorInside(Context context, Tensor host, long offset, String name, GgmlType type,
                                         long... ne) {
        Shapes.requireDims(ne, "newTensorInside");
        if (host.context() != context) {
            throw new IllegalArgumentException("newTensorInside: " + host.describe() + " belongs to another context;"
                    + " a part must live in the context that owns its memory");
        }
        MemorySegment buffer = TensorStruct.buffer(host.pointer());
        if (Downcalls.isNull(buffer) || !Downcalls.isNull(TensorStruct.viewSource(host.pointer()))) {
            throw new IllegalArgumentException("newTensorInside: " + host.describe() + " has no memory of its own"
                    + " (allocate the context first; a view cannot hold parts)");
        }
        if (offset < 0 || offset % type.blockBytes() != 0 || offset % InPlaceApi.TENSOR_ALIGNMENT != 0) {
            throw new IllegalArgumentException("newTensorInside: offset " + offset + " is not a whole number of "
                    + type + " blocks (" + type.blockBytes() + " bytes each) and of ggml's alignment ("
                    + InPlaceApi.TENSOR_ALIGNMENT + " bytes) from the start of " + host.describe());
        }
        MemorySegment bufferType = InPlaceApi.ggml_backend_buffer_get_type(buffer);
        long room = BackendApi.ggml_backend_buft_get_alloc_size(bufferType, host.pointer());
        long needed;
        try (Context scratch = Context.create(1)) {
            needed = BackendApi.ggml_backend_buft_get_alloc_size(bufferType, scratch.newTensor(type, ne).pointer());
        }
        if (offset + needed > room) {
            throw new IllegalArgumentException("newTensorInside: " + needed + " bytes at offset " + offset
                    + " reach past the " + room + " bytes of " + host.describe());
        }
        Tensor part = context.newTensor(name, type, ne);
        MemorySegment address = MemorySegment.ofAddress(TensorStruct.data(host.pointer()).address() + offset);
        int status = InPlaceApi.ggml_backend_tensor_alloc(buffer, part.pointer(), address);
        if (status != 0) {
            throw new GgmlException("ggml could not place " + part.describe() + " at byte " + offset + " of "
                    + host.describe() + " (status " + status + ")");
        }
        return part;
    }
}
