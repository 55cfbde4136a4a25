package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.TensorStruct;

import java.util.Set;

/**
 * Ops a GPU backend says it supports but whose kernel is missing in the pinned ggml: running them aborts the
 * process from inside the CUDA backend ("no device code compatible with CUDA arch"). Each gap found is listed
 * here with the words that explain it, and checked before a graph reaches the GPU.
 *
 * <ul>
 *   <li>{@code FLASH_ATTN_EXT} with a logit softcap: ggml-cuda's tensor-core flash-attention kernel, which it
 *       chooses for every batch of more than one query on Turing and newer GPUs, is compiled with a softcap only
 *       for head sizes 128, 256 and 512 ({@code fattn-mma-f16.cuh}); found on an H200 by the op tests.</li>
 * </ul>
 */
final class KernelGaps {
    private static final Set<Long> SOFTCAP_HEAD_SIZES = Set.of(128L, 256L, 512L);

    private KernelGaps() {}

    /** Why {@code backend} cannot run {@code node} although ggml says it can; null when it can. */
    static String problem(Tensor node, Backend backend) {
        if (backend.isCpu() || !node.op().equals("FLASH_ATTN_EXT")) {
            return null;
        }
        long headSize = TensorStruct.ne(TensorStruct.wrap(TensorStruct.src(node.pointer(), 0)), 0); // q: [headSize, ...]
        float softcap = TensorStruct.opParamFloat(node.pointer(), 2);
        if (softcap != 0 && !SOFTCAP_HEAD_SIZES.contains(headSize)) {
            return "the " + backend.name() + " backend has no flash-attention kernel with a logit softcap for head size "
                    + headSize + " (only 128, 256 and 512); turn flash attention off (Attention.withFlash(false)), "
                    + "use one of those head sizes, or run on the CPU";
        }
        return null;
    }
}
