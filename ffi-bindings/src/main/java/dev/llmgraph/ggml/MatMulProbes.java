package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.TensorStruct;

import java.lang.foreign.MemorySegment;

/**
 * Whether a backend can multiply a weight kept in a given buffer type (a repacking CPU type, for instance): ggml
 * answers from a probe op whose weight (only) sits in an empty buffer of that type, as llama.cpp's model loader
 * asks when it places weights, with the op the weight will meet (mul_mat, or mul_mat_id for stacked experts).
 */
final class MatMulProbes {
    private MatMulProbes() {}

    static boolean mulMat(Backend backend, BufferType bufferType, GgmlType type, long... ne) {
        try (Context probe = Context.create(4)) {
            Tensor weight = probe.newTensor(type, ne);
            // a 3-d weight (MLA's per-head W_UK) multiplies one batch per head: the probe's input has as many
            Tensor input = ne.length > 2 ? probe.newTensor(GgmlType.F32, ne[0], 512, ne[2])
                    : probe.newTensor(GgmlType.F32, ne[0], 512);
            return supports(backend, probe.mulMat(weight, input), weight, bufferType);
        }
    }

    /** llama.cpp's probe for {@code ffn_*_exps}: one expert per token, 512 tokens. */
    static boolean mulMatId(Backend backend, BufferType bufferType, GgmlType type, long... ne) {
        try (Context probe = Context.create(4)) {
            Tensor weight = probe.newTensor(type, ne);
            Tensor input = probe.newTensor(GgmlType.F32, ne[0], 1, 512);
            Tensor ids = probe.newTensor(GgmlType.I32, 1, 512);
            return supports(backend, probe.mulMatId(weight, input, ids), weight, bufferType);
        }
    }

    private static boolean supports(Backend backend, Tensor product, Tensor weight, BufferType bufferType) {
        MemorySegment empty = BackendApi.ggml_backend_buft_alloc_buffer(bufferType.handle(), 0);
        try {
            TensorStruct.setBuffer(weight.pointer(), empty);
            return BackendApi.ggml_backend_dev_supports_op(BackendApi.ggml_backend_get_device(backend.handle()),
                    product.pointer());
        } finally {
            TensorStruct.setBuffer(weight.pointer(), MemorySegment.NULL);
            BackendApi.ggml_backend_buffer_free(empty);
        }
    }
}
