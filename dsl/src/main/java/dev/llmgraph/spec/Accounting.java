package dev.llmgraph.spec;

import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.plan.Block;
import dev.llmgraph.spec.plan.Plan;
import dev.llmgraph.spec.plan.Step;
import dev.llmgraph.spec.plan.StepCosts;
import dev.llmgraph.spec.plan.Steps;
import dev.llmgraph.storage.StorageType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a spec costs, computed from the spec alone (no weights, no native code): parameters per component,
 * FLOPs per token, KV-cache bytes, a memory estimate, and the shape of every named node of a forward pass.
 * Parameters, FLOPs, cache bytes and shapes are read from the spec's {@link Plan} (its weights, its steps'
 * {@link StepCosts} and nodes), so they follow the same block structure lowering builds.
 */
public final class Accounting {
    private final ModelSpec s;

    Accounting(ModelSpec spec) {
        this.s = spec;
    }

    // ---- parameters --------------------------------------------------------------------------------------

    /** Norms in one block: one per sublayer, two per sublayer with SANDWICH, one shared by a parallel block. */
    public int normsPerLayer() {
        List<Block> blocks = s.plan().blocks();
        return blocks.isEmpty() ? 0 : (int) blocks.getFirst().leaves().stream().filter(Accounting::isNorm).count();
    }

    /** Learned parameters per component, in model order: read from the plan's weights. */
    public ParameterCount parameters() {
        return count(false);
    }

    /**
     * The parameters one token uses, per component: as {@link #parameters()}, except that of each layer's
     * routed experts only the k it is sent to count (the router, shared experts and everything else count
     * whole). Equal to {@link #parameters()} for a dense model.
     */
    public ParameterCount activeParameters() {
        return count(true);
    }

    private ParameterCount count(boolean active) {
        Plan plan = s.plan();
        List<Weight> ordered = new ArrayList<>();
        // The embedding, then what positions add (a table or a shared bias), then the rest of the input.
        List<Step> input = plan.input();
        ordered.addAll(input.getFirst().weights());
        ordered.addAll(plan.shared());
        ordered.addAll(Steps.weights(input.subList(1, input.size())));
        // The blocks' weights grouped as a reader expects: mixers, then channel mixers, then the norms.
        List<Step> leaves = plan.blocks().stream().flatMap(b -> b.leaves().stream())
                .sorted(Comparator.comparingInt(Accounting::reportOrder)).toList();
        ordered.addAll(Steps.weights(leaves));
        ordered.addAll(Steps.weights(plan.output()));
        Map<String, Long> parts = new LinkedHashMap<>();
        for (Weight w : ordered) {
            parts.merge(w.component(), w.elements(), Long::sum);
        }
        if (active) {
            for (Step leaf : leaves) {
                Moe moe = routedExperts(leaf);
                if (moe != null) {
                    long all = Steps.weights(List.of(leaf)).stream().filter(w -> w.component().equals("experts"))
                            .mapToLong(Weight::elements).sum();
                    parts.merge("experts", all / moe.experts() * moe.expertsPerToken() - all, Long::sum);
                }
            }
        }
        parts.values().removeIf(v -> v == 0);
        return new ParameterCount(parts);
    }

    /** The mixture a channel step routes to; null for a dense FFN and for every other step. */
    private static Moe routedExperts(Step leaf) {
        return switch (leaf) {
            case Step.Channel channel -> switch (channel.mixer()) {
                case Moe moe -> moe;
                case Ffn _, RwkvChannelMix _ -> null;
            };
            case Step.Mix _, Step.Normalize _, Step.Embed _, Step.Head _, Step.Pool _, Step.MaskedLm _,
                 Step.Residual _, Step.Parallel _ -> null;
        };
    }

    private static int reportOrder(Step leaf) {
        return switch (leaf) {
            case Step.Mix _ -> 0;
            case Step.Channel _ -> 1;
            case Step.Normalize _, Step.Embed _,
                 Step.Head _, Step.Pool _, Step.MaskedLm _, Step.Residual _, Step.Parallel _ -> 2;
        };
    }

    private static boolean isNorm(Step leaf) {
        return switch (leaf) {
            case Step.Normalize _ -> true;
            case Step.Mix _, Step.Channel _, Step.Embed _,
                 Step.Head _, Step.Pool _, Step.MaskedLm _, Step.Residual _, Step.Parallel _ -> false;
        };
    }

    // ---- compute -----------------------------------------------------------------------------------------

    /**
     * Forward FLOPs for one token that attends to {@code contextLength} earlier positions (fewer on
     * sliding-window layers): 2 per multiply-add of every weight matrix the token passes through
     * (including the output head), plus {@code 2 x 2 x heads x headDim} per visible key for QK^T and AV.
     * Norms, activations and softmax are left out (they are O(d), not O(d^2)). See {@link StepCosts}.
     */
    public long flopsPerToken(int contextLength) {
        atLeast("flopsPerToken", "contextLength", contextLength, 0);
        Plan plan = s.plan();
        long flops = 0;
        for (Step step : plan.input()) {
            flops += StepCosts.flopsPerToken(step, contextLength);
        }
        for (Block block : plan.blocks()) {
            for (Step step : block.steps()) {
                flops += StepCosts.flopsPerToken(step, contextLength);
            }
        }
        for (Step step : plan.output()) {
            flops += StepCosts.flopsPerToken(step, contextLength);
        }
        return flops;
    }

    // ---- memory ------------------------------------------------------------------------------------------

    /** Elements the KV cache holds per token: 2 (K and V) x kvHeads x headDim x layers. */
    public long kvCacheElementsPerToken() {
        long elements = 0;
        for (Step.Mix mix : mixers()) {
            elements += StepCosts.cachedTensors(mix) * StepCosts.cacheRowElements(mix);
        }
        return elements;
    }

    /**
     * KV-cache bytes per token for a cache of {@code type} (F16 is the usual choice) that keeps every position; a
     * session's sliding layers stop growing once their window is full ({@link #kvCacheBytes(int, StorageType, int)}).
     */
    public long kvCacheBytesPerToken(StorageType type) {
        long bytes = 0;
        for (Step.Mix mix : mixers()) {
            bytes += StepCosts.cachedTensors(mix) * type.rowBytes(StepCosts.cacheRowElements(mix));
        }
        return bytes;
    }

    /**
     * Bytes of the recurrent state of one sequence: a state space model's convolution and scan state, F32, per
     * layer. It does not grow with the context (0 for attention, whose memory is the KV cache).
     */
    public long recurrentStateBytes() {
        long elements = 0;
        for (Step.Mix mix : mixers()) {
            elements += StepCosts.recurrentStateElements(mix);
        }
        return 4 * elements;
    }

    private List<Step.Mix> mixers() {
        List<Step.Mix> out = new ArrayList<>();
        for (Block block : s.plan().blocks()) {
            for (Step leaf : block.leaves()) {
                switch (leaf) {
                    case Step.Mix mix -> out.add(mix);
                    case Step.Normalize _, Step.Channel _, Step.Embed _,
                         Step.Head _, Step.Pool _, Step.MaskedLm _, Step.Residual _,
                         Step.Parallel _ -> { }
                }
            }
        }
        return out;
    }

    /**
     * KV-cache bytes of a session holding {@code tokens} tokens, fed in batches of at most {@link #DEFAULT_BATCH}
     * (ModelOptions' default): {@link #kvCacheBytes(int, StorageType, int)}.
     */
    public long kvCacheBytes(int tokens, StorageType type) {
        return kvCacheBytes(tokens, type, DEFAULT_BATCH);
    }

    /**
     * KV-cache bytes of a session holding {@code tokens} tokens and fed at most {@code batch} at a time: every
     * position for a global layer, and for a layer whose attention slides only the rows of
     * {@link ModelSpec#slidingCacheRows} (its window and one batch). {@code batch = tokens} gives a cache that keeps
     * every position on every layer.
     */
    public long kvCacheBytes(int tokens, StorageType type, int batch) {
        atLeast("kvCacheBytes", "tokens", tokens, 0);
        atLeast("kvCacheBytes", "batch", batch, 1);
        int slidingRows = s.slidingCacheRows(tokens, batch);
        long bytes = 0;
        for (Step.Mix mix : mixers()) {
            // as KvCache allocates; latent and recurrent layers keep no sliding rows (slidingCacheRows, cachedTensors)
            long rows = mix.mask() == MaskKind.SLIDING ? slidingRows : tokens;
            bytes += rows * StepCosts.cachedTensors(mix) * type.rowBytes(StepCosts.cacheRowElements(mix));
        }
        return bytes;
    }

    /** The most tokens one graph of a session processes unless ModelOptions says otherwise. */
    public static final int DEFAULT_BATCH = 512;

    /** An exception naming the method and the argument when {@code value} is below {@code minimum}. */
    private static void atLeast(String method, String argument, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(method + ": " + argument + " = " + value + " must be at least "
                    + minimum);
        }
    }

    /**
     * Bytes of the weights when matrices are stored as {@code matrixType} and vectors (norms, biases, small
     * tables) as F32, as llama.cpp stores them. A matrix whose rows do not fill whole blocks of a quantized
     * type is kept in F16, as lowering does.
     */
    public long weightBytes(StorageType matrixType) {
        long bytes = 0;
        for (Weight w : WeightLayout.of(s)) {
            bytes += w.bytes(matrixType);
        }
        return bytes;
    }

    /**
     * A peak-memory estimate for running {@code batch} tokens at a time with a KV cache of
     * {@code contextLength} tokens (a session's, fed in ModelOptions' default batches: {@link #kvCacheBytes(int,
     * StorageType)}): weights + KV cache + the largest activations of one layer (residual,
     * q/k/v, FFN hidden, attention scores over the whole cache) + the logits, all F32.
     */
    public MemoryEstimate memory(int contextLength, int batch, StorageType matrixType, StorageType cacheType) {
        atLeast("memory", "contextLength", contextLength, 0);
        atLeast("memory", "batch", batch, 1);
        long weights = weightBytes(matrixType);
        long kv = kvCacheBytes(contextLength, cacheType) + recurrentStateBytes();
        long widestBlock = 0;
        for (Block block : s.plan().blocks()) {
            long values = 0;
            for (Step step : block.steps()) {
                values += StepCosts.activationsPerToken(step, contextLength);
            }
            widestBlock = Math.max(widestBlock, values);
        }
        long perToken = 3L * s.dModel() + widestBlock;
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
        atLeast("shapeTrace", "tokens", tokens, 1);
        atLeast("shapeTrace", "cached", cached, 0);
        return ShapeTrace.of(s, tokens, cached);
    }

    /** The shape trace of a prompt of {@code tokens} tokens with an empty cache. */
    public ShapeTrace shapeTrace(int tokens) {
        return new ShapeTrace(s.name(), tokens, new ArrayList<>(shapeTrace(tokens, 0)));
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
        long perToken = kvCacheBytesPerToken(StorageType.F16);
        return String.format(java.util.Locale.ROOT, """
                accounting of %s
                  parameters                %,d (%s)%s
                  KV cache per token (F16)  %,d bytes
                  KV cache at %-13s %s (F16)
                  weights                   %s in F16, %s in F32
                  FLOPs per token           %s at %d tokens of context
                  more: parameters(), kvCacheBytes(tokens, type), weightBytes(type), memory(...), shapeTrace(n)""",
                s.name(), total, ParameterCount.human(total), s.sparse()
                        ? String.format(java.util.Locale.ROOT, "%n  active per token          %,d (%s)",
                                activeParameters().total(), ParameterCount.human(activeParameters().total())) : "",
                perToken,
                context + " tokens", MemoryEstimate.gib(kvCacheBytes(context, StorageType.F16)),
                MemoryEstimate.gib(weightBytes(StorageType.F16)), MemoryEstimate.gib(weightBytes(StorageType.F32)),
                flops(flopsPerToken(context)), context);
    }
}
