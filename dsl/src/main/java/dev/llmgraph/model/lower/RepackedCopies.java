package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.BufferType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies of weights in repacking buffers (interleaved blocks, llama.cpp's speed on Q4_0), made after loading while
 * the weights themselves stay where they are, readable: a quantized matrix used in place from the mapped model file
 * ({@link dev.llmgraph.model.ModelOptions#repackMapped()}), a layer's q, k and v stored as one
 * ({@link RepackedProjections}), a tied head ({@link RepackedHead}). Products multiply by the copy. llama.cpp copies
 * such weights out of its mapping into its repacking buffer too; the mapped pages stay in the page cache, from which
 * the system can reclaim them.
 *
 * @param contexts    one per repacking buffer type, owning the copies (closed with the weights)
 * @param copies      the copies, by name
 * @param bytesByType bytes of the copies in each repacking buffer type
 */
record RepackedCopies(List<Context> contexts, Map<String, Tensor> copies, Map<BufferType, Long> bytesByType) {
    static final RepackedCopies NONE = new RepackedCopies(List.of(), Map.of(), Map.of());

    /** Copies of the loaded weights named in {@code homes} (name to repacking buffer type). */
    static RepackedCopies ofWeights(Map<String, BufferType> homes, Map<String, Tensor> weights) {
        Map<String, List<Tensor>> parts = new LinkedHashMap<>();
        homes.keySet().forEach(name -> parts.put(name, List.of(weights.get(name))));
        return of(homes, parts);
    }

    /**
     * One copy for each name in {@code homes} (name to repacking buffer type): of its one part as it is, or of the
     * rows of its several parts, one part after another, in one matrix.
     */
    static RepackedCopies of(Map<String, BufferType> homes, Map<String, List<Tensor>> parts) {
        if (homes.isEmpty()) {
            return NONE;
        }
        Map<BufferType, Context> contexts = new LinkedHashMap<>();
        Map<String, Tensor> copies = new LinkedHashMap<>();
        try {
            homes.forEach((name, home) -> {
                List<Tensor> from = parts.get(name);
                Tensor first = from.getFirst();
                long[] ne = from.size() == 1 ? first.ne()
                        : new long[] {first.ne(0), from.stream().mapToLong(t -> t.ne(1)).sum()};
                Context ctx = contexts.computeIfAbsent(home, h -> Context.create(homes.size()));
                copies.put(name, ctx.newTensor(name, first.type(), ne));
            });
            Map<BufferType, Long> bytes = new LinkedHashMap<>();
            contexts.forEach((home, ctx) -> bytes.put(home, ctx.allocate(home).byteSize()));
            // each copy repacks its own blocks as it is set: independent, so they run side by side
            copies.entrySet().parallelStream().forEach(e -> {
                List<Tensor> from = parts.get(e.getKey());
                if (from.size() == 1) {
                    e.getValue().setRawFrom(from.getFirst());
                } else {
                    e.getValue().setRowsFrom(from);
                }
            });
            return new RepackedCopies(List.copyOf(contexts.values()), copies, bytes);
        } catch (RuntimeException e) {
            contexts.values().forEach(Context::close);
            throw e;
        }
    }

    /** The copies' bytes in all their buffer types. */
    long bytes() {
        return bytesByType.values().stream().mapToLong(Long::longValue).sum();
    }
}
