package dev.llmgraph.spec;

import dev.llmgraph.ggml.GgmlType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a spec costs, computed from the spec alone (no weights, no native code): parameters per component,
 * FLOPs per token, KV-cache bytes, a memory estimate, and the shape of every named node of a forward pass.
 */
public final class Accounting {
    private final ModelSpec s;

    Accounting(ModelSpec spec) {
        this.s = spec;
    }

    // ---- parameters --------------------------------------------------------------------------------------

    /** Norms in one block: one per sublayer, two per sublayer with SANDWICH, one shared by a parallel block. */
    public int normsPerLayer() {
        if (s.parallelBlock()) {
            return 1;
        }
        return s.placement() == NormPlacement.SANDWICH ? 4 : 2;
    }

    /** Learned parameters per component, in model order. */
    public ParameterCount parameters() {
        int d = s.dModel();
        long perNorm = s.norm().parametersPerNorm(d);
        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("token embedding", (long) s.vocabSize() * d);
        long positional = s.positional().parameters(d, s.contextLength(), s.heads());
        if (positional > 0) {
            parts.put("positional", positional);
        }
        if (s.embeddings().layerNorm()) {
            parts.put("embedding norm", perNorm);
        }
        parts.put("attention", (long) s.layers() * s.attention().parameters(d));
        parts.put("ffn", (long) s.layers() * s.ffn().parameters(d));
        parts.put("block norms", (long) s.layers() * normsPerLayer() * perNorm);
        if (s.finalNorm()) {
            parts.put("final norm", perNorm);
        }
        if (!s.tiedEmbeddings()) {
            parts.put("output head", (long) s.vocabSize() * d);
        }
        parts.values().removeIf(v -> v == 0);
        return new ParameterCount(parts);
    }

    // ---- compute -----------------------------------------------------------------------------------------

    /**
     * Forward FLOPs for one token that attends to {@code contextLength} earlier positions (fewer on
     * sliding-window layers): 2 per multiply-add of every weight matrix the token passes through
     * (including the output head), plus {@code 2 x 2 x heads x headDim} per visible key for QK^T and AV.
     * Norms, activations and softmax are left out (they are O(d), not O(d^2)).
     */
    public long flopsPerToken(int contextLength) {
        int d = s.dModel();
        long hd = s.headDim();
        long attentionMatrices = d * hd * (2L * s.heads() + 2L * s.kvHeads());
        long ffnMatrices = (long) (s.ffn().gated() ? 3 : 2) * d * s.ffnDim();
        long perLayer = 2 * (attentionMatrices + ffnMatrices);
        long attentionScores = 0;
        for (int layer = 0; layer < s.layers(); layer++) {
            long keys = s.attention().slides(layer) ? Math.min(contextLength, s.attention().window().size()) : contextLength;
            attentionScores += 2L * 2L * s.heads() * hd * keys;
        }
        long head = 2L * d * s.vocabSize();
        return s.layers() * perLayer + attentionScores + head;
    }

    // ---- memory ------------------------------------------------------------------------------------------

    /** Elements the KV cache holds per token: 2 (K and V) x kvHeads x headDim x layers. */
    public long kvCacheElementsPerToken() {
        return 2L * s.kvHeads() * s.headDim() * s.layers();
    }

    /** KV-cache bytes per token for a cache of {@code type} (F16 is the usual choice). */
    public long kvCacheBytesPerToken(GgmlType type) {
        return 2L * s.layers() * type.rowBytes((long) s.kvHeads() * s.headDim());
    }

    /** KV-cache bytes for {@code tokens} tokens. */
    public long kvCacheBytes(int tokens, GgmlType type) {
        return tokens * kvCacheBytesPerToken(type);
    }

    /**
     * Bytes of the weights when matrices are stored as {@code matrixType} and vectors (norms, biases, small
     * tables) as F32, as llama.cpp stores them. A matrix whose rows do not fill whole blocks of a quantized
     * type is kept in F16, as lowering does.
     */
    public long weightBytes(GgmlType matrixType) {
        long bytes = 0;
        for (WeightLayout.Weight w : WeightLayout.of(s)) {
            long rows = w.elements() / w.ne()[0];
            bytes += rows * w.storageType(matrixType).rowBytes(w.ne()[0]);
        }
        return bytes;
    }

    /**
     * A peak-memory estimate for running {@code batch} tokens at a time with a KV cache of
     * {@code contextLength} tokens: weights + KV cache + the largest activations of one layer (residual,
     * q/k/v, FFN hidden, attention scores over the whole cache) + the logits, all F32.
     */
    public MemoryEstimate memory(int contextLength, int batch, GgmlType matrixType, GgmlType cacheType) {
        long weights = weightBytes(matrixType);
        long kv = kvCacheBytes(contextLength, cacheType);
        long hd = s.headDim();
        long perToken = 3L * s.dModel() + (s.heads() + 2L * s.kvHeads()) * hd + 2L * s.ffnDim()
                + 2L * s.heads() * contextLength;
        long activations = 4L * batch * perToken + 4L * batch * s.vocabSize();
        return new MemoryEstimate(weights, kv, activations);
    }

    // ---- shapes ------------------------------------------------------------------------------------------

    /**
     * Every named node of a forward pass over {@code tokens} new tokens with {@code cached} tokens already
     * in the KV cache, in execution order, with its shape in the paper's order ({@code [tokens, dModel]},
     * {@code [heads, tokens, keys]}). The names are those of the ggml graph llmgraph builds, so any of them
     * can be read back from a model.
     */
    public List<ShapeTrace.Entry> shapeTrace(int tokens, int cached) {
        return ShapeTrace.of(s, tokens, cached);
    }

    /** The shape trace of a prompt of {@code tokens} tokens with an empty cache. */
    public ShapeTrace shapeTrace(int tokens) {
        return new ShapeTrace(s.name(), tokens, new ArrayList<>(ShapeTrace.of(s, tokens, 0)));
    }

    private static String flops(long flops) {
        return flops >= 1e9 ? String.format(java.util.Locale.ROOT, "%.2f GFLOP", flops / 1e9)
                : String.format(java.util.Locale.ROOT, "%.2f MFLOP", flops / 1e6);
    }

    /** The main figures as a small table, at the spec's context length; the methods give the rest. */
    @Override
    public String toString() {
        int context = s.contextLength();
        long total = parameters().total();
        long perToken = kvCacheBytesPerToken(GgmlType.F16);
        return String.format(java.util.Locale.ROOT, """
                accounting of %s
                  parameters                %,d (%s)
                  KV cache per token (F16)  %,d bytes
                  KV cache at %-13s %s (F16)
                  weights                   %s in F16, %s in F32
                  FLOPs per token           %s at %d tokens of context
                  more: parameters(), kvCacheBytes(tokens, type), weightBytes(type), memory(...), shapeTrace(n)""",
                s.name(), total, ParameterCount.human(total), perToken,
                context + " tokens", MemoryEstimate.gib(kvCacheBytes(context, GgmlType.F16)),
                MemoryEstimate.gib(weightBytes(GgmlType.F16)), MemoryEstimate.gib(weightBytes(GgmlType.F32)),
                flops(flopsPerToken(context)), context);
    }
}
