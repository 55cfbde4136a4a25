package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.BufferType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Repacked copies of quantized matrices that are used in place from the mapped model file
 * ({@link dev.llmgraph.model.ModelOptions#repackMapped()}): products multiply by the copy, in the repacking buffer
 * (interleaved blocks, llama.cpp's speed on Q4_0), while the weight itself stays the mapped original, which can be
 * read back, exported and adapted. llama.cpp copies such weights out of its mapping into its repacking buffer too;
 * the mapped pages stay in the page cache, from which the system can reclaim them.
 *
 * @param contexts    one per repacking buffer type, owning the copies (closed with the weights)
 * @param copies      the copies, by the weight's name
 * @param bytesByType bytes of the copies in each repacking buffer type
 */
record RepackedCopies(List<Context> contexts, Map<String, Tensor> copies, Map<BufferType, Long> bytesByType) {
    static final RepackedCopies NONE = new RepackedCopies(List.of(), Map.of(), Map.of());

    /** Copies of the weights in {@code homes} (name to repacking buffer type), from the loaded {@code weights}. */
    static RepackedCopies of(Map<String, BufferType> homes, Map<String, Tensor> weights) {
        if (homes.isEmpty()) {
            return NONE;
        }
        Map<BufferType, Context> contexts = new LinkedHashMap<>();
        Map<String, Tensor> copies = new LinkedHashMap<>();
        try {
            homes.forEach((name, home) -> {
                Tensor original = weights.get(name);
                Context ctx = contexts.computeIfAbsent(home, h -> Context.create(homes.size()));
                copies.put(name, ctx.newTensor(name, original.type(), original.ne()));
            });
            Map<BufferType, Long> bytes = new LinkedHashMap<>();
            contexts.forEach((home, ctx) -> bytes.put(home, ctx.allocate(home).byteSize()));
            // each copy repacks its own blocks as it is set: independent, so they run side by side
            copies.entrySet().parallelStream().forEach(e -> e.getValue().setRawFrom(weights.get(e.getKey())));
            return new RepackedCopies(List.copyOf(contexts.values()), copies, bytes);
        } catch (RuntimeException e) {
            contexts.values().forEach(Context::close);
            throw e;
        }
    }
}
