package dev.llmgraph.display;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.spec.Accounting;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.MemoryEstimate;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.ParameterCount;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.WeightLayout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The facts the summary, the comparison and the text forms show about a spec, computed once from the spec's
 * own accounting so that every view agrees. Row labels are fixed, so two specs' rows line up.
 */
final class SpecFacts {
    /** Per-layer components: their shapes are listed once with "x layers". */
    private static final Set<String> PER_LAYER = Set.of("attention", "ffn", "block norms");

    /** The summary's memory estimate: one sequence, F16 weights and F16 KV cache, as llama.cpp runs by default. */
    static final GgmlType WEIGHT_TYPE = GgmlType.F16;
    static final GgmlType CACHE_TYPE = GgmlType.F16;

    /**
     * One row of the component table.
     *
     * @param name       the accounting name ("attention", "output head", ...)
     * @param shapes     the tensors in the paper's order, e.g. "attn_q [4096, 4096], ..."
     * @param perLayer   whether {@code shapes} is one layer's and the count covers all layers
     * @param parameters learned parameters of the component, from {@code ModelSpec.accounting()}
     */
    record Component(String name, String shapes, boolean perLayer, long parameters) {}

    private SpecFacts() {}

    /** The architecture choices, label to value, in the order of a block diagram read top to bottom. */
    static Map<String, String> choices(ModelSpec s) {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("family", s.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        rows.put("vocabSize", Integer.toString(s.vocabSize()));
        rows.put("dModel", Integer.toString(s.dModel()));
        rows.put("layers", Integer.toString(s.layers()));
        rows.put("contextLength", Integer.toString(s.contextLength()));
        rows.put("embeddings", embeddings(s.embeddings()));
        rows.put("positional", s.positional().toString());
        if (s.rwkv() != null) {
            rows.put("mixer", "RWKV time mixing " + s.rwkv() + ", a state of " + s.rwkv().stateElements(s.dModel())
                    + " values per layer at any context");
            rows.put("norm", s.norm().toString());
            rows.put("norm placement", placement(s.placement(), s.layers()));
            rows.put("block", "x + TimeMix(N(x)), then x + ChannelMix(N(x)): both token-shifted");
            rows.put("ffn", s.rwkv().channelMix().toString());
        } else if (s.linear() != null) {
            rows.put("mixer", "linear attention " + s.linear() + ", a state of " + s.linear().stateElements(s.dModel())
                    + " values per layer at any context");
            if (s.hybrid() != null) {
                rows.put("hybrid", s.hybrid() + "; " + attention(s.attention()) + ", a KV cache on those layers");
            }
            rows.put("norm", s.norm().toString());
            rows.put("norm placement", placement(s.placement(), s.layers()));
            rows.put("block", s.parallelBlock() ? "parallel: x + LinearAttn(N(x)) + FFN(N(x))"
                    : "sequential: linear attention, then FFN");
            rows.put("ffn", ffnName(s.ffn()) + ", width " + s.ffnDim() + (s.ffn().bias() ? ", bias" : ""));
        } else if (s.recurrent()) {
            rows.put("mixer", "selective state space " + s.ssm() + ", a state of " + s.ssm().stateElements()
                    + " values per layer at any context");
            if (s.hybrid() != null) {
                rows.put("hybrid", s.hybrid() + "; " + attention(s.attention()) + ", a KV cache on those layers");
            }
            rows.put("norm", s.norm().toString());
            rows.put("norm placement", placement(s.placement(), s.layers()));
            if (s.hybrid() == null) {
                rows.put("block", "x + Mamba(N(x)): the mixer alone, no FFN");
            } else {
                rows.put("block", "sequential: Mamba or attention, then FFN" + (s.sparse() ? " or experts" : ""));
                rows.put("ffn", ffnName(s.ffn()) + ", width " + s.ffnDim() + (s.ffn().bias() ? ", bias" : "")
                        + (s.sparse() ? "; experts " + s.moe() : ""));
            }
        } else {
            rows.put("attention", attention(s.attention()));
            rows.put("heads / kvHeads / headDim", s.heads() + " / " + s.kvHeads() + " / " + s.headDim());
            rows.put("mask", mask(s));
            rows.put("norm", s.norm().toString());
            rows.put("norm placement", placement(s.placement(), s.layers()));
            rows.put("block", s.parallelBlock() ? "parallel: x + Attn(N(x)) + FFN(N(x))"
                    : "sequential: attention, then FFN");
            rows.put("ffn", ffnName(s.ffn()) + ", width " + s.ffnDim() + (s.ffn().bias() ? ", bias" : ""));
        }
        rows.put("final norm", s.finalNorm() ? "yes" : "no");
        rows.put("output head", (s.tiedEmbeddings() ? "tied to the token embedding" : "own matrix")
                + (s.finalLogitSoftcap() > 0 ? ", logits soft-capped at " + Format.decimal(s.finalLogitSoftcap()) : ""));
        return rows;
    }

    /**
     * The settings left at the builder's LLaMA-style defaults, e.g. "positional (RoPE ...), norm placement
     * (PRE)"; empty when every one was chosen. A GPT-2-shaped spec left on RoPE is valid, but says so here.
     */
    static String defaulted(ModelSpec s) {
        List<String> out = new ArrayList<>();
        if (s.defaulted().contains("positional")) {
            out.add("positional (" + s.positional() + ")");
        }
        if (s.defaulted().contains("norm")) {
            out.add("norm (" + s.norm() + ")");
        }
        if (s.defaulted().contains("placement")) {
            out.add("norm placement (" + s.placement() + ")");
        }
        return String.join(", ", out);
    }

    static String attention(Attention a) {
        String sharing = switch (a.variant()) {
            case "MHA" -> "MHA: every query head has its own K/V head";
            case "MQA" -> "MQA: all " + a.heads() + " query heads share one K/V head";
            default -> "GQA: " + a.heads() / a.kvHeads() + " query heads share each K/V head";
        };
        List<String> extras = new ArrayList<>();
        if (a.qkvBias() || a.outBias()) {
            extras.add(a.qkvBias() && a.outBias() ? "biases" : a.qkvBias() ? "qkv bias" : "output bias");
        }
        if (a.logitSoftcap() > 0) {
            extras.add("logit softcap " + Format.decimal(a.logitSoftcap()));
        }
        if (a.qkNorm().present()) {
            extras.add(a.qkNorm() == dev.llmgraph.spec.QkNorm.WHOLE_WIDTH ? "QK-norm over whole projections"
                    : "QK-norm");
        }
        if (a.flash()) {
            extras.add("flash");
        }
        return sharing + (extras.isEmpty() ? "" : "; " + String.join(", ", extras));
    }

    /** "SwiGLU (gated)", "GELU (tanh) MLP". */
    static String ffnName(Ffn f) {
        return f.gated() ? f.displayName() + " (gated)" : SublayerDrawing.activationName(f.activation()) + " MLP";
    }

    static String mask(ModelSpec s) {
        String base = switch (s.mask()) {
            case CAUSAL -> "causal";
            case PREFIX -> "prefix (the prompt sees both ways)";
            case BIDIRECTIONAL -> "bidirectional";
            case SLIDING -> "sliding window";
        };
        SlidingWindow window = s.attention().window();
        if (window == null) {
            return base;
        }
        return window.globalEvery() == 0 ? "sliding window " + window.size() : base + "; " + window;
    }

    static String placement(NormPlacement p, int layers) {
        return switch (p) {
            case PRE -> "PRE: x = x + F(N(x))";
            case POST -> "POST: x = N(x + F(x))";
            case SANDWICH -> "SANDWICH: x = x + N'(F(N(x)))";
            case DEEPNORM -> "DEEPNORM: x = N(alpha x + F(x)), alpha = " + Format.decimal(p.residualAlpha(layers));
        };
    }

    static String embeddings(Embeddings e) {
        return (e.tied() ? "tied" : "untied") + (e.scale() != 1.0 ? ", scaled by " + Format.decimal(e.scale()) : "")
                + (e.layerNorm() ? ", norm after lookup" : "");
    }

    /** Components with their tensors (paper order) and parameter counts, in model order. */
    static List<Component> components(ModelSpec s) {
        ParameterCount counts = s.accounting().parameters();
        Map<String, List<String>> shapes = new LinkedHashMap<>();
        for (WeightLayout.Weight w : WeightLayout.of(s)) {
            String name = w.name();
            boolean layered = PER_LAYER.contains(w.component());
            if (layered && !name.startsWith("blk.0.")) {
                continue;
            }
            String shortName = layered ? name.substring("blk.0.".length()) : name;
            List<String> list = shapes.computeIfAbsent(w.component(), k -> new ArrayList<>());
            if (shortName.endsWith(".bias")) {
                // A bias follows its weight: "attn_q [4096, 4096] + bias" reads better than a separate entry.
                list.set(list.size() - 1, list.getLast() + " + bias");
            } else {
                list.add(shortName.replace(".weight", "") + " " + w.paperShape());
            }
        }
        List<Component> out = new ArrayList<>();
        for (var e : counts.components().entrySet()) {
            String name = e.getKey();
            String tensors = String.join(", ", shapes.getOrDefault(name, List.of()));
            out.add(new Component(name, tensors, PER_LAYER.contains(name), e.getValue()));
        }
        if (s.tiedEmbeddings()) {
            out.add(new Component("output head", "tied: reuses token_embd", false, 0));
        }
        return out;
    }

    /** KV-cache bytes per token with the summary's cache type. */
    static long kvBytesPerToken(ModelSpec s) {
        return s.accounting().kvCacheBytesPerToken(CACHE_TYPE);
    }

    /** The memory estimate at the full context, one sequence. */
    static MemoryEstimate memory(ModelSpec s) {
        return s.accounting().memory(s.contextLength(), 1, WEIGHT_TYPE, CACHE_TYPE);
    }

    /**
     * One cost row of the summary and the comparison.
     *
     * @param label what it is
     * @param text  the value as shown
     * @param value the number behind it (parameters or bytes), for tests and ratios
     */
    record Cost(String label, String text, long value) {}

    /** Parameters, KV cache, memory and FLOPs of a spec at its context length. */
    static List<Cost> costs(ModelSpec s) {
        List<Cost> rows = new ArrayList<>();
        long total = s.parameterCount();
        rows.add(new Cost("total parameters", Format.grouped(total) + " (" + ParameterCount.human(total) + ")", total));
        long perToken = kvBytesPerToken(s);
        rows.add(new Cost("KV cache per token (F16)", Format.grouped(perToken) + " bytes (" + Format.bytes(perToken)
                + ")", perToken));
        long atContext = s.accounting().kvCacheBytes(s.contextLength(), CACHE_TYPE);
        int slidingRows = s.slidingCacheRows(s.contextLength(), Accounting.DEFAULT_BATCH);
        rows.add(new Cost("KV cache at contextLength", Format.bytes(atContext) + " for " + s.contextLength()
                + " tokens" + (slidingRows < s.contextLength() ? ", the sliding layers keeping " + slidingRows
                + " (window and batch)" : ""), atContext));
        MemoryEstimate m = memory(s);
        rows.add(new Cost("weights (F16)", Format.bytes(m.weights()), m.weights()));
        // What Model.random(spec, seed) allocates: ModelOptions.cpu() keeps weights and cache in F32, and the
        // model checks the machine's memory against these bytes (same accounting) before allocating.
        ModelOptions defaults = ModelOptions.cpu();
        MemoryEstimate allocated = s.accounting().memory(s.contextLength(), 1, defaults.matrixType(),
                defaults.cacheType());
        rows.add(new Cost("weights (" + defaults.matrixType().name() + ")", Format.bytes(allocated.weights())
                + " (Model.random's default)", allocated.weights()));
        rows.add(new Cost("activations (batch 1)", Format.bytes(m.activations()), m.activations()));
        rows.add(new Cost("memory estimate", Format.bytes(m.total()) + " = weights + KV cache + activations",
                m.total()));
        rows.add(new Cost("memory estimate (" + defaults.matrixType().name() + ")", Format.bytes(allocated.total())
                + ": what Model.random allocates", allocated.total()));
        long flops = s.accounting().flopsPerToken(s.contextLength());
        rows.add(new Cost("FLOPs per token", Format.flops(flops) + " at " + s.contextLength() + " tokens of context",
                flops));
        return rows;
    }
}
