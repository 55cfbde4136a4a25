package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BufferType;
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
 */
final class RepackedProjections {
    private RepackedProjections() {}

    /**
     * The layer prefix ({@code blk.N.}) of a q, k or v matrix whose three the file stores as one tensor, else null.
     */
    static String storedTogether(String name, Map<String, WeightLayout.Weight> byName, WeightSource source) {
        String stack = QkvStack.of(name, byName, source);
        return stack != null && QkvStack.ofMatrices(stack) ? QkvStack.layer(stack) : null;
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

    /**
     * Stacks for the layers in {@code homes} (prefix to repacking buffer type), from the loaded q, k and v, each by
     * {@code blk.N.attn_qkv.weight}: q's rows, then k's, then v's; the repacking buffer rearranges them as it stores.
     */
    static RepackedCopies stacks(Map<String, BufferType> homes, Map<String, Tensor> weights) {
        Map<String, BufferType> stackHomes = new LinkedHashMap<>();
        Map<String, List<Tensor>> parts = new LinkedHashMap<>();
        homes.forEach((base, home) -> {
            stackHomes.put(base + "attn_qkv.weight", home);
            parts.put(base + "attn_qkv.weight", parts(base, weights));
        });
        return RepackedCopies.of(stackHomes, parts);
    }

    /** Layer {@code base}'s q, k and v matrices. */
    private static List<Tensor> parts(String base, Map<String, Tensor> weights) {
        return QkvStack.parts(base + "attn_qkv.weight").stream().map(weights::get).toList();
    }

    private static long[] stackedShape(String base, Map<String, WeightLayout.Weight> byName) {
        long[] q = byName.get(base + "attn_q.weight").ne();
        long rows = 0;
        for (String part : QkvStack.parts(base + "attn_qkv.weight")) {
            rows += byName.get(part).ne()[1];
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
