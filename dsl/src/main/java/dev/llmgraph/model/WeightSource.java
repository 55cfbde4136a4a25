package dev.llmgraph.model;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

/**
 * Where a model's weights come from: random initialisation, a GGUF file, safetensors. Lowering asks for
 * each tensor of the spec's {@link WeightLayout} in turn.
 */
public interface WeightSource {
    /** The type the source stores {@code weight} in (kept as is), or null to use the model options' type. */
    default GgmlType storedType(WeightLayout.Weight weight) {
        return null;
    }

    /** Fills {@code target} (allocated on the backend, of the layout's shape) with {@code weight}'s values. */
    void load(ModelSpec spec, WeightLayout.Weight weight, Tensor target);

    /**
     * Where {@code weight}'s bytes lie in a file exactly as a tensor of {@code type} and the layout's shape holds
     * them, so that the CPU can use them in place ({@link ModelOptions#mapWeights()}); null when they must be
     * converted, gathered or generated, and so copied by {@link #load}.
     */
    default InFile inFile(WeightLayout.Weight weight, GgmlType type) {
        return null;
    }

    /** A weight's bytes at byte {@code offset} of {@code file}. */
    record InFile(java.nio.file.Path file, long offset) {}

    /**
     * Whether the file stores these weights as parts of one tensor (q, k and v in a fused {@code attn_qkv}): the
     * lowering then multiplies by them as one matrix, as llama.cpp does with such a tensor.
     */
    default boolean storedTogether(String... names) {
        return false;
    }

    /**
     * Whether tensors may be loaded at the same time from several threads: true where each tensor's values
     * depend on nothing but the tensor (random initialisation); false for sources that read one file in order.
     */
    default boolean independentTensors() {
        return false;
    }

    /** Random values by {@code init}; each tensor draws from its own generator, so they load in parallel. */
    static WeightSource random(WeightInit init) {
        return new WeightSource() {
            @Override
            public void load(ModelSpec spec, WeightLayout.Weight weight, Tensor target) {
                target.setFloats(init.values(spec, weight));
            }

            @Override
            public boolean independentTensors() {
                return true;
            }
        };
    }
}
