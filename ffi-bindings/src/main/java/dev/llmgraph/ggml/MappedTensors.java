package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.InPlaceApi;
import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Tensors whose memory is a {@link FileMapping}: each is placed at its own byte offset of the file and used
 * there, with no copy, as llama.cpp uses a model file it maps ({@code ggml_backend_cpu_buffer_from_ptr} over
 * the mapped range, then {@code ggml_backend_tensor_alloc} per tensor). Only the CPU backend computes on such
 * memory, and only data already in the tensor's type and layout can be used: anything converted, or
 * rearranged (a repacking buffer type), is copied into memory of its own instead.
 *
 * <pre>
 *   file   | header | ... tensor a ... | pad | ... tensor b ... | pad | ...
 *                   ^ first offset (a multiple of 32)                  ^ last end
 *   buffer          [=================== one CPU buffer ==============]   tensors point into it
 * </pre>
 */
public final class MappedTensors {
    /** A tensor's offset in the file must be a multiple of this (ggml's TENSOR_ALIGNMENT; GGUF aligns to 32). */
    public static final long ALIGNMENT = InPlaceApi.TENSOR_ALIGNMENT;

    private MappedTensors() {}

    /**
     * Gives {@code tensors[i]} the bytes at {@code offsets[i]} of {@code mapping}, in one buffer that belongs to
     * {@code context} (it closes with the context) and that owns the mapping from now on: closing the buffer
     * unmaps the file. On failure nothing is placed and the mapping is closed.
     */
    public static Buffer place(Context context, FileMapping mapping, List<Tensor> tensors, long[] offsets) {
        try {
            long[] sizes = check(context, mapping, tensors, offsets);
            long first = Long.MAX_VALUE, last = 0;
            for (int i = 0; i < offsets.length; i++) {
                first = Math.min(first, offsets[i]);
                last = Math.max(last, offsets[i] + sizes[i]);
            }
            MemorySegment file = mapping.bytes();
            MemorySegment handle = InPlaceApi.ggml_backend_cpu_buffer_from_ptr(file.asSlice(first), last - first);
            if (Downcalls.isNull(handle)) {
                throw new GgmlException("ggml could not make a buffer over bytes " + first + " to " + last + " of "
                        + mapping.path());
            }
            BufferType type = new BufferType(InPlaceApi.ggml_backend_buffer_get_type(handle), true);
            Buffer buffer = Buffer.over(handle, type, mapping);
            context.adopt(buffer);
            for (int i = 0; i < offsets.length; i++) {
                int status = InPlaceApi.ggml_backend_tensor_alloc(handle, tensors.get(i).pointer(),
                        file.asSlice(offsets[i]));
                if (status != 0) {
                    throw new GgmlException("ggml could not place tensor " + tensors.get(i).describe() + " at byte "
                            + offsets[i] + " of " + mapping.path() + " (status " + status + ")");
                }
            }
            return buffer;
        } catch (RuntimeException e) {
            mapping.close(); // a no-op when the buffer already owns it and the context closes it
            throw e;
        }
    }

    /** Java checks for every precondition ggml asserts on (a failed one would end the JVM); the tensors' sizes. */
    private static long[] check(Context context, FileMapping mapping, List<Tensor> tensors, long[] offsets) {
        if (tensors.isEmpty() || tensors.size() != offsets.length) {
            throw new IllegalArgumentException("place: " + tensors.size() + " tensors and " + offsets.length
                    + " offsets; give one offset per tensor, and at least one tensor");
        }
        long[] sizes = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            Tensor t = tensors.get(i);
            sizes[i] = t.byteSize();
            if (t.context() != context) {
                throw new IllegalArgumentException("place: tensor " + t.describe() + " belongs to another context");
            }
            if (t.hasData() || !Downcalls.isNull(TensorStruct.viewSource(t.pointer()))) {
                throw new IllegalArgumentException("place: tensor " + t.describe() + " already has memory or is a "
                        + "view; only a fresh tensor can be placed in a file");
            }
            if (offsets[i] < 0 || offsets[i] > mapping.byteSize() - sizes[i]) {
                throw new IllegalArgumentException("place: tensor " + t.describe() + " at byte " + offsets[i]
                        + " would reach past the end of " + mapping.path() + " (" + mapping.byteSize() + " bytes)");
            }
            if (offsets[i] % ALIGNMENT != 0) {
                throw new IllegalArgumentException("place: tensor " + t.describe() + " at byte " + offsets[i] + " of "
                        + mapping.path() + " is not at a multiple of " + ALIGNMENT + "; copy it instead");
            }
        }
        return sizes;
    }
}
