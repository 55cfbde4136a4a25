package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BufferType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.FileMapping;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.MappedTensors;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights used in place from the files they come from ({@link ModelOptions#mapWeights()}), as llama.cpp
 * uses a model file with mmap: one context, one copy-on-write mapping and one CPU buffer over it per file.
 * A weight qualifies when it runs on the CPU backend, in the backend's default buffer type (a repacking type
 * rearranges its bytes, so it is copied), and its source finds its bytes in the file in the very type and
 * layout the tensor wants, at an offset ggml can use ({@link MappedTensors#ALIGNMENT}).
 */
final class MappedWeights {
    private record Group(Context context, List<Tensor> tensors, List<Long> offsets) {}

    private final Map<Path, Group> groups = new LinkedHashMap<>();
    private final int capacity;
    private final Map<BufferType, Long> bytesByHome = new LinkedHashMap<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private long bytes;

    /** For a model of at most {@code capacity} weights. */
    MappedWeights(int capacity) {
        this.capacity = capacity;
    }

    /** Where a weight of {@code home} on {@code backend} found at {@code at} can be used in place, or null. */
    static WeightSource.InFile usable(ModelOptions options, Backend backend, BufferType home, WeightSource.InFile at) {
        boolean eligible = options.mapWeights() && backend.isCpu() && backend.remote().isEmpty()
                && home.equals(backend.defaultBufferType()) && FileMapping.supported();
        return eligible && at != null && at.offset() % MappedTensors.ALIGNMENT == 0 ? at : null;
    }

    /** A tensor for {@code name} to be placed at {@code at} when {@link #place()} runs. */
    Tensor add(WeightSource.InFile at, BufferType home, String name, GgmlType type, long[] ne) {
        Group group = groups.computeIfAbsent(at.file(),
                // room for the weights and a stacked q, k, v per three of them (stackProjections)
                f -> new Group(Context.create(capacity + capacity / 3 + 1), new ArrayList<>(), new ArrayList<>()));
        Tensor tensor = group.context().newTensor(name, type, ne);
        group.tensors().add(tensor);
        group.offsets().add(at.offset());
        long size = tensor.byteSize();
        bytes += size;
        bytesByHome.merge(home, size, Long::sum);
        names.add(name);
        return tensor;
    }

    /**
     * For each layer whose q, k and v matrices (or biases) the file stores as one fused {@code attn_qkv} (and so back
     * to back), one more tensor over all three: the lowering then multiplies the input once (and adds the bias once)
     * instead of three times, as llama.cpp does with a stored {@code attn_qkv} ({@link AttentionLowering.Projections}).
     * Nothing is copied; the three weights stay what they were. Separate tensors keep three products on the CPU, as
     * in llama.cpp's graph (a back-to-back TinyLlama file measured no gain from one product: bench/NOTES.md). Layers in
     * {@code repackedLayers} (prefixes {@code blk.N.}) get no stack of matrices: a repacked stack multiplies for them.
     */
    Map<String, Tensor> stackProjections(WeightSource source, Set<String> repackedLayers) {
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            Map<String, Integer> index = new LinkedHashMap<>();
            for (int i = 0; i < g.tensors().size(); i++) {
                index.put(g.tensors().get(i).name(), i);
            }
            for (String name : List.copyOf(index.keySet())) {
                String stack = QkvStack.named(name);
                List<String> parts = stack == null ? List.of() : QkvStack.parts(stack);
                if (parts.isEmpty() || !name.equals(parts.getFirst()) || !index.keySet().containsAll(parts)
                        || QkvStack.ofMatrices(stack) && repackedLayers.contains(QkvStack.layer(stack))
                        || !source.storedTogether(parts.toArray(String[]::new))) {
                    continue;
                }
                int q = index.get(parts.get(0)), k = index.get(parts.get(1)), v = index.get(parts.get(2));
                if (!backToBack(g, q, k) || !backToBack(g, k, v)) {
                    continue;
                }
                Tensor first = g.tensors().get(q);
                int rank = first.rank();
                long length = 0;
                for (int part : List.of(q, k, v)) {
                    length += g.tensors().get(part).ne(rank - 1);
                }
                Tensor qkv = rank == 1 ? g.context().newTensor(stack, first.type(), length)
                        : g.context().newTensor(stack, first.type(), first.ne(0), length);
                g.tensors().add(qkv);
                g.offsets().add(g.offsets().get(q));
                stacked.put(qkv.name(), qkv);
            }
        }
        return stacked;
    }

    /**
     * Whether tensor {@code b} of a group starts where tensor {@code a} ends, with the same type and rows (matrices)
     * or both vectors.
     */
    private static boolean backToBack(Group g, int a, int b) {
        Tensor x = g.tensors().get(a), y = g.tensors().get(b);
        boolean alike = x.rank() == y.rank() && (x.rank() == 1 || x.rank() == 2 && x.ne(0) == y.ne(0));
        return x.type() == y.type() && alike && g.offsets().get(a) + x.byteSize() == g.offsets().get(b);
    }

    /** Maps each file and gives its tensors their bytes there. */
    void place() {
        for (var e : groups.entrySet()) {
            Group g = e.getValue();
            long[] offsets = g.offsets().stream().mapToLong(Long::longValue).toArray();
            FileMapping mapping;
            try {
                mapping = FileMapping.copyOnWrite(e.getKey());
            } catch (RuntimeException failed) {
                throw new IllegalStateException(failed.getMessage() + " (to copy the weights instead, load with "
                        + "ModelOptions.withMapWeights(false))", failed);
            }
            MappedTensors.place(g.context(), mapping, g.tensors(), offsets);
        }
    }

    /** The contexts of the mapped weights: closing them unmaps the files. */
    List<Context> contexts() {
        return groups.values().stream().map(Group::context).toList();
    }

    /** The names of the weights used in place. */
    java.util.Set<String> names() {
        return names;
    }

    /** Bytes used in place, by the buffer type a copy would have taken (the CPU backend's default). */
    Map<BufferType, Long> bytesByHome() {
        return bytesByHome;
    }

    /** Bytes of the weights used in place. */
    long bytes() {
        return bytes;
    }
}
