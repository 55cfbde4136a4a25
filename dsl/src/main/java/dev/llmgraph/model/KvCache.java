package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Buffer;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ModelSpec;

/**
 * The keys and values of every position seen so far, per layer, on the backend.
 * <pre>
 *  K[layer]  [headDim * kvHeads, size]   one row per position (ggml order: row = ne[0])
 *  V[layer]  [headDim * kvHeads, size]   with flash attention, which reads V like K
 *            [size, headDim * kvHeads]   otherwise: stored transposed, so that weights x values is a plain
 *                                        mul_mat without a copy (llama.cpp does the same)
 * </pre>
 * Sliding-window layers keep every position too (the mask hides the old ones); this costs memory but
 * keeps positions and cache rows identical.
 */
final class KvCache implements AutoCloseable {
    final Tensor[] k;
    final Tensor[] v;
    final int size;
    final boolean vTransposed;
    final GgmlType type;
    private final Context ctx;
    private final Buffer buffer;

    KvCache(ModelSpec spec, Backend backend, GgmlType type, int size) {
        this.size = size;
        this.type = type;
        this.vTransposed = !spec.attention().flash();
        long rowLength = (long) spec.headDim() * spec.kvHeads();
        if (vTransposed && type.isQuantized()) {
            throw new IllegalArgumentException("a " + type + " KV cache needs flash attention, because without it the "
                    + "V cache is stored transposed, which a quantized type cannot be; turn on attention flash or use "
                    + "an f16 cache");
        }
        // Attention reads the cache one head at a time, so every head, not only the whole row, must fill blocks.
        if (spec.headDim() % type.blockSize() != 0) {
            throw new IllegalArgumentException("a " + type + " KV cache stores each head's headDim = " + spec.headDim()
                    + " values in blocks of " + type.blockSize() + "; use an f16 cache");
        }
        if (backend.isCpu()) {
            HostMemory.available().ifPresent(available -> MemoryCheck.cache(spec, type, size, available));
        }
        this.ctx = Context.create(2 * spec.layers());
        this.k = new Tensor[spec.layers()];
        this.v = new Tensor[spec.layers()];
        try {
            for (int i = 0; i < spec.layers(); i++) {
                k[i] = ctx.newTensor("cache_k." + i, type, rowLength, size);
                v[i] = vTransposed ? ctx.newTensor("cache_v." + i, type, size, rowLength)
                        : ctx.newTensor("cache_v." + i, type, rowLength, size);
            }
            this.buffer = ctx.allocate(backend);
            buffer.clear((byte) 0);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    long byteSize() {
        return buffer.byteSize();
    }

    @Override
    public void close() {
        ctx.close();
    }
}
