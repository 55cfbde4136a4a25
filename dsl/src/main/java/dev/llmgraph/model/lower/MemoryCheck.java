package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightSource;
import dev.llmgraph.model.NotEnoughMemoryException;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.MemoryEstimate;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.List;
import java.util.Locale;

/**
 * The check made before host (CPU) memory is taken for weights or a KV cache. The bytes come from the same rules
 * as the allocation ({@link Weights#bytes}, the spec's accounting of the cache), so the estimate that a summary
 * shows and what a model allocates cannot drift apart. GPU memory is checked by the bindings' buffer allocation.
 */
public final class MemoryCheck {
    private MemoryCheck() {}

    /** Throws when the weights of {@code spec} stored as {@code options} and {@code source} say exceed {@code available}. */
    public static void weights(ModelSpec spec, ModelOptions options, WeightSource source, long available) {
        String tiny = spec.name().startsWith("tiny-") ? "" : "a tiny-* preset (Presets.tiny(spec), 2 layers, width 32), ";
        weights(spec.name(), WeightLayout.of(spec), options, source, available, tiny);
    }

    /**
     * Throws when the weights of {@code layout} (an encoder-decoder's, which no single spec lists) stored as
     * {@code options} and {@code source} say exceed {@code available}.
     */
    public static void weights(String name, List<WeightLayout.Weight> layout, ModelOptions options,
                               WeightSource source, long available) {
        weights(name, layout, options, source, available, "");
    }

    private static void weights(String name, List<WeightLayout.Weight> layout, ModelOptions options,
                                WeightSource source, long available, String tiny) {
        long needed = Weights.bytes(layout, options, source);
        if (needed <= available) {
            return;
        }
        StringBuilder ways = new StringBuilder();
        for (GgmlType smaller : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            long bytes = Weights.bytes(layout, options.withMatrixType(smaller), source);
            if (bytes < needed) {
                ways.append(ways.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                        "%s weights (ModelOptions.withMatrixType(GgmlType.%s): %s)", smaller,
                        smaller.name(), MemoryEstimate.gib(bytes)));
            }
        }
        throw new NotEnoughMemoryException(String.format(Locale.ROOT, "%s needs %s for its weights (%s matrices), and "
                        + "this machine has %s available; use %s%sor a smaller spec (fewer layers, a smaller dModel or "
                        + "vocabulary)", name, MemoryEstimate.gib(needed), options.matrixType(),
                MemoryEstimate.gib(available), ways.isEmpty() ? "" : ways + ", ", tiny));
    }

    /**
     * Throws when a KV cache of {@code tokens} tokens of {@code type}, written {@code batch} tokens at a time, exceeds
     * {@code available}.
     */
    public static void cache(ModelSpec spec, GgmlType type, int tokens, int batch, long available) {
        long needed = spec.accounting().kvCacheBytes(tokens, type, batch);
        if (needed <= available) {
            return;
        }
        String f16 = type == GgmlType.F32 ? String.format(Locale.ROOT, ", an F16 cache "
                        + "(ModelOptions.withCacheType(GgmlType.F16): %s)",
                MemoryEstimate.gib(spec.accounting().kvCacheBytes(tokens, GgmlType.F16, batch))) : "";
        throw new NotEnoughMemoryException(String.format(Locale.ROOT, "a KV cache of %d tokens for %s needs %s (%s), "
                        + "and this machine has %s available; use a shorter context (model.session(tokens), "
                        + "ModelOptions.withContextLength(tokens))%s, or a tiny-* preset (Presets.tiny(spec))", tokens,
                spec.name(), MemoryEstimate.gib(needed), type, MemoryEstimate.gib(available), f16));
    }
}
