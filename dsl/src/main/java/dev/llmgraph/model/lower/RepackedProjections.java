package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BufferType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.WeightLayout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each layer's q, k and v, where the file stores them as one tensor (GPT-2's {@code attn_qkv}), as one matrix in a
 * repacking buffer: the lowering multiplies once, as llama.cpp does with its repacked {@code attn_qkv}. A repacked
 * matrix cannot be a view over the mapped file as a stack of plain ones is ({@link MappedWeights#stackProjections}),
 * so the three stay plain (mapped in place, untouched while no adapter multiplies by them) and this is a copy of
 * their rows in one repacked tensor: the bytes llama.cpp keeps, once. GPT-2-small's Q4_0 decoding made three
 * repacked products per layer instead of one (bench/NOTES.md).
 *
 * @param contexts the contexts that own the stacks (closed with the weights)
 * @param stacked  each stack by {@code blk.N.attn_qkv.weight}
 * @param bytesByType bytes of the stacks in each repacking buffer type
 */
record RepackedProjections(List<Context> contexts, Map<String, Tensor> stacked, Map<BufferType, Long> bytesByType) {
    static final RepackedProjections NONE = new RepackedProjections(List.of(), Map.of(), Map.of());
    private static final List<String> PARTS = List.of("attn_q", "attn_k", "attn_v");

    /**
     * The layer prefix ({@code blk.N.}) of a q, k or v matrix whose three the file stores as one tensor, else null.
     */
    static String storedTogether(String name, Map<String, WeightLayout.Weight> byName, WeightSource source) {
        for (String part : PARTS) {
            String suffix = part + ".weight";
            if (name.startsWith("blk.") && name.endsWith("." + suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                List<String> names = PARTS.stream().map(p -> base + p + ".weight").toList();
                return byName.keySet().containsAll(names) && source.storedTogether(names.toArray(String[]::new))
                        ? base : null;
            }
        }
        return null;
    }

    /**
     * The repacking buffer type of {@code extras} that can multiply the stack of layer {@code base} (q, k and v of
     * {@code type} from {@code byName}), or null.
     */
    static BufferType home(String base, GgmlType type, Map<String, WeightLayout.Weight> byName, Backend backend,
                           List<BufferType> extras) {
        long[] ne = stackedShape(base, byName);
        for (BufferType extra : extras) {
            if (backend.supportsMatMulWeight(extra, type, ne)) {
                return extra;
            }
        }
        return null;
    }

    /** Stacks for the layers in {@code homes} (prefix to repacking buffer type), from the loaded q, k and v. */
    static RepackedProjections of(Map<String, BufferType> homes, Map<String, Tensor> weights) {
        if (homes.isEmpty()) {
            return NONE;
        }
        Map<BufferType, Context> contexts = new LinkedHashMap<>();
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        try {
            homes.forEach((base, home) -> {
                List<Tensor> parts = parts(base, weights);
                long rows = parts.stream().mapToLong(t -> t.ne(1)).sum();
                Context ctx = contexts.computeIfAbsent(home, h -> Context.create(homes.size()));
                Tensor q = parts.getFirst();
                stacked.put(base + "attn_qkv.weight", ctx.newTensor(base + "attn_qkv.weight", q.type(), q.ne(0), rows));
            });
            Map<BufferType, Long> bytes = new LinkedHashMap<>();
            contexts.forEach((home, ctx) -> bytes.put(home, ctx.allocate(home).byteSize()));
            // q's rows, then k's, then v's; the repacking buffer rearranges them as it stores them
            homes.keySet().forEach(base -> stacked.get(base + "attn_qkv.weight").setRowsFrom(parts(base, weights)));
            return new RepackedProjections(List.copyOf(contexts.values()), stacked, bytes);
        } catch (RuntimeException e) {
            contexts.values().forEach(Context::close);
            throw e;
        }
    }

    /** Layer {@code base}'s q, k and v matrices. */
    private static List<Tensor> parts(String base, Map<String, Tensor> weights) {
        return PARTS.stream().map(part -> weights.get(base + part + ".weight")).toList();
    }

    private static long[] stackedShape(String base, Map<String, WeightLayout.Weight> byName) {
        long[] q = byName.get(base + "attn_q.weight").ne();
        long rows = 0;
        for (String part : PARTS) {
            rows += byName.get(base + part + ".weight").ne()[1];
        }
        return new long[] {q[0], rows};
    }

    /** Layout weights by name, for {@link #home}. */
    static Map<String, WeightLayout.Weight> byName(List<WeightLayout.Weight> layout) {
        Map<String, WeightLayout.Weight> out = new LinkedHashMap<>();
        layout.forEach(w -> out.put(w.name(), w));
        return out;
    }
}
