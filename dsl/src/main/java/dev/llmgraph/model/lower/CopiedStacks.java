package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.MappedTensors;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.TensorsInside;
import dev.llmgraph.spec.WeightLayout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * q, k and v (weights or biases) copied into a backend's memory (GPU memory, or host memory when the file is not
 * mapped) where the file stores them as one tensor ({@link QkvStack}), or on a GPU also where it stores them apart
 * ({@link QkvStack#stackSeparateProjections}): one tensor holds the three, as llama.cpp holds a stored
 * {@code attn_qkv}, and each part is placed inside it ({@link TensorsInside#newTensorInside}).
 * The lowering then multiplies once and adds the bias once; on CUDA that is one product with the bias fused into
 * it instead of three products and three additions. The parts stay weights of their own (op NONE, same memory), so
 * loading, adapters, training and export see q, k and v as before. The mapped counterpart is
 * {@link MappedWeights#stackProjections}.
 */
final class CopiedStacks {
    private record Part(WeightLayout.Weight weight, GgmlType type, Context context) {
        long bytes() {
            return Weights.bytes(weight, type);
        }
    }

    /** Parts held back from {@link #hold} until {@link #create}, by stack name. */
    private final Map<String, Map<String, Part>> held = new LinkedHashMap<>();
    /** Stacks made by {@link #create}, waiting for {@link #place}. */
    private final Map<String, Tensor> stacks = new LinkedHashMap<>();

    /** Holds back weight {@code w}, a part of {@code stack}, to be made in {@code context}'s buffer. */
    void hold(String stack, WeightLayout.Weight w, GgmlType type, Context context) {
        held.computeIfAbsent(stack, s -> new LinkedHashMap<>()).put(w.name(), new Part(w, type, context));
    }

    /**
     * Before allocation: one tensor for each stack whose three parts were all held for the same context, in one
     * type and row length, each starting at ggml's alignment; every other held weight as a tensor of its own, put in
     * {@code tensors}.
     */
    void create(Map<String, Tensor> tensors) {
        for (var e : held.entrySet()) {
            List<Part> parts = new ArrayList<>();
            for (String name : QkvStack.parts(e.getKey())) {
                parts.add(e.getValue().get(name));
            }
            if (stackable(parts)) {
                WeightLayout.Weight q = parts.getFirst().weight();
                long length = parts.stream().mapToLong(p -> p.weight().ne()[q.ne().length - 1]).sum();
                long[] ne = q.ne().length == 1 ? new long[] {length} : new long[] {q.ne()[0], length};
                stacks.put(e.getKey(), parts.getFirst().context().newTensor(e.getKey(), parts.getFirst().type(), ne));
            } else {
                e.getValue().values().forEach(p -> tensors.put(p.weight().name(),
                        p.context().newTensor(p.weight().name(), p.type(), p.weight().ne())));
            }
        }
    }

    private static boolean stackable(List<Part> parts) {
        if (parts.contains(null)) {
            return false;
        }
        Part q = parts.getFirst();
        int rank = q.weight().ne().length;
        long offset = 0;
        for (Part p : parts) {
            long[] ne = p.weight().ne();
            if (p.context() != q.context() || p.type() != q.type() || ne.length != rank || rank > 2
                    || (rank == 2 && ne[0] != q.weight().ne()[0]) || offset % MappedTensors.ALIGNMENT != 0) {
                return false;
            }
            offset += p.bytes();
        }
        return true;
    }

    /**
     * After allocation, before any value is loaded: places the parts inside their stacks and puts them in
     * {@code tensors}; returns the stacks by name.
     */
    Map<String, Tensor> place(Map<String, Tensor> tensors) {
        for (var e : stacks.entrySet()) {
            Tensor stack = e.getValue();
            long offset = 0;
            for (String name : QkvStack.parts(e.getKey())) {
                Part p = held.get(e.getKey()).get(name);
                tensors.put(name, TensorsInside.newTensorInside(p.context(), stack, offset, name, p.type(),
                        p.weight().ne()));
                offset += p.bytes();
            }
        }
        return stacks;
    }
}
