package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BufferType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.ModelOptions;

import java.util.List;
import java.util.Map;

/**
 * A tied head's second copy of the token embedding, in a repacking buffer. The embedding itself stays where
 * lookups (get_rows) can read it, so the head's product would run on the plain quantized kernel; llama.cpp
 * loads a tied {@code output} as a duplicate of {@code token_embd} on the output layer's buffer type, which on
 * an AVX2 CPU repacks it. For Llama-3.2-1B in Q4_0 the head is a quarter of the weights, and decoding measured
 * 0.71 of llama.cpp's speed without this copy. It costs the embedding's bytes once more, as in llama.cpp.
 */
final class RepackedHead {
    private RepackedHead() {}

    /**
     * The copy, when the model is tied, {@code wanted} (repacking on, or the embedding mapped from the file with
     * {@link ModelOptions#repackMapped()}) and a repacking buffer takes the embedding, by {@code output.weight};
     * else none.
     */
    static RepackedCopies of(Map<String, Tensor> weights, LayerDevices devices, boolean wanted) {
        Tensor embedding = weights.get("token_embd.weight");
        if (!wanted || embedding == null || weights.containsKey("output.weight")
                || !embedding.type().isQuantized()) {
            return RepackedCopies.NONE;
        }
        Backend backend = devices.weight("output.weight");
        for (BufferType extra : backend.extraBufferTypes()) {
            if (backend.supportsMatMulWeight(extra, embedding.type(), embedding.ne())) {
                return RepackedCopies.of(Map.of("output.weight", extra), Map.of("output.weight", List.of(embedding)));
            }
        }
        return RepackedCopies.NONE;
    }
}
