package dev.llmgraph.spec;

import dev.llmgraph.storage.StorageType;

import java.util.List;

/**
 * Every learned tensor of a spec, with llama.cpp's GGUF tensor names and shapes in ggml order
 * ({@code ne[0]} first: a projection from dModel to n is {@code [dModel, n]}). Lowering allocates exactly
 * these; GGUF and safetensors I/O map them by name.
 */
public final class WeightLayout {
    /**
     * @param name      e.g. {@code blk.3.attn_q.weight}
     * @param ne        sizes in ggml order
     * @param role      what the tensor does (an embedding, a norm gain, a projection, ...)
     * @param component the accounting group: token embedding, positional, attention, ffn, norms, output head
     */
    public record Weight(String name, long[] ne, WeightRole role, String component) {
        /** A 2-d weight a token is multiplied by (may be quantized); see {@link WeightRole#matrix()}. */
        public boolean matrix() {
            return role.matrix();
        }

        public long elements() {
            long n = 1;
            for (long x : ne) {
                n *= x;
            }
            return n;
        }

        /** How this weight is stored when matrices are asked for in {@code matrixType}. */
        public WeightStorage storage(StorageType matrixType) {
            return WeightStorage.of(matrix(), ne[0], matrixType);
        }

        /** Bytes of this weight when matrices are asked for in {@code matrixType}. */
        public long bytes(StorageType matrixType) {
            return elements() / ne[0] * storage(matrixType).rowBytes(ne[0], matrixType);
        }

        /** The shape in the paper's order (rows first), for display. */
        public String paperShape() {
            return ne.length == 1 ? "[" + ne[0] + "]" : "[" + ne[1] + ", " + ne[0] + "]";
        }

        /** E.g. {@code blk.0.attn_q.weight [4096, 4096] (attention)}, the shape in the paper's order. */
        @Override
        public String toString() {
            return name + " " + paperShape() + " (" + component + ")";
        }
    }

    private WeightLayout() {}

    /** The weights of {@code s}, in storage order: read from its {@link dev.llmgraph.spec.plan.Plan}. */
    public static List<Weight> of(ModelSpec s) {
        return s.plan().weights();
    }
}
