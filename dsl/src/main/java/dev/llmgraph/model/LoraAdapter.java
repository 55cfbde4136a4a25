package dev.llmgraph.model;

import dev.llmgraph.model.lower.LowRankUpdate;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LoRA adapter ({@link LoraConfig}): the factors A and B of each target projection, f32, in a ggml context
 * and buffer of their own on the model's backend, apart from the base weights, which it never changes
 * (until {@link #mergeInto}). Attached to a model ({@link Model#attach}), its update is part of every graph
 * the model builds: generation, inspection, and training, where it can be trained alone:
 * <pre>{@code
 * try (Model model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withMatrixType(GgmlType.F32));
 *      LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(8, 16, "attn_q", "attn_v"))) {
 *     model.attach(adapter);
 *     try (Trainer trainer = Trainer.of(model, config, LoraAdapter::isAdapterTensor)) { ... }  // base frozen
 *     GgufAdapters.write(adapter, Path.of("adapter.gguf"));                                    // llama.cpp --lora
 * }
 * }</pre>
 * Tensors are named as in llama.cpp's adapter files: {@code blk.0.attn_q.weight.lora_a} [in, rank] and
 * {@code blk.0.attn_q.weight.lora_b} [rank, out] (ggml order). Closing the adapter detaches it first.
 */
public final class LoraAdapter implements AutoCloseable {
    /** The two factors of one target projection. */
    public record Factors(Tensor a, Tensor b) {}

    private final ModelSpec spec;
    private final String backend;
    private final int rank;
    private final double alpha;
    private final Context ctx;
    private final Map<String, Factors> factors;
    private Model attachedTo;
    private boolean closed;

    private LoraAdapter(ModelSpec spec, String backend, int rank, double alpha, Context ctx,
                        Map<String, Factors> factors) {
        this.spec = spec;
        this.backend = backend;
        this.rank = rank;
        this.alpha = alpha;
        this.ctx = ctx;
        this.factors = factors;
    }

    /**
     * A new adapter for {@code model} as the paper starts one: A drawn from N(0, 1 / in) (so that A x keeps the
     * scale of x), B zero, so the adapted model computes exactly what the base model does until B is trained.
     */
    public static LoraAdapter create(Model model, LoraConfig config) {
        List<WeightLayout.Weight> targets = LoraTargets.resolve(model.spec(), config);
        LoraAdapter adapter = zeros(model, config.rank(), config.alpha(),
                targets.stream().map(WeightLayout.Weight::name).toList());
        for (var e : adapter.factors.entrySet()) {
            Tensor a = e.getValue().a();
            float[] values = new float[(int) a.elementCount()];
            SplittableRandom random = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + e.getKey().hashCode());
            double std = 1 / Math.sqrt(a.ne(0));
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (std * random.nextGaussian());
            }
            a.setFloats(values);
        }
        return adapter;
    }

    /**
     * An adapter for {@code model} whose factors are all zero, on the projections named {@code targets}
     * ({@code blk.N.attn_q.weight}, ...): for readers that then fill A and B ({@code GgufAdapters.load}).
     */
    public static LoraAdapter zeros(Model model, int rank, double alpha, List<String> targets) {
        TrainingGraph.refuseSplit(model, "a LoRA adapter");
        LoraConfig checked = new LoraConfig(rank, alpha, List.of(".*"), 0); // the config's own rules on rank and alpha
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("an adapter needs at least one target projection");
        }
        Context ctx = Context.create(2 * targets.size());
        try {
            Map<String, Factors> factors = new LinkedHashMap<>();
            for (String target : targets) {
                if (LoraTargets.projection(target) == null) {
                    throw new IllegalArgumentException("'" + target + "' is not a projection an adapter can target; "
                            + "targets are blk.N.P.weight with P one of " + LoraTargets.PROJECTIONS);
                }
                long[] ne = model.weightTensor(target).ne();
                factors.put(target, new Factors(ctx.newTensor(target + ".lora_a", GgmlType.F32, ne[0], checked.rank()),
                        ctx.newTensor(target + ".lora_b", GgmlType.F32, checked.rank(), ne[1])));
            }
            ctx.allocate(model.backend());
            for (Factors f : factors.values()) {
                f.a().setFloats(new float[(int) f.a().elementCount()]);
                f.b().setFloats(new float[(int) f.b().elementCount()]);
            }
            return new LoraAdapter(model.spec(), model.backend().name(), rank, alpha, ctx,
                    Collections.unmodifiableMap(factors));
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Whether {@code name} names an adapter tensor ({@code ... .lora_a} or {@code .lora_b}): a trainer filter. */
    public static boolean isAdapterTensor(String name) {
        return name.endsWith(".lora_a") || name.endsWith(".lora_b");
    }

    // ---- what it holds ---------------------------------------------------------------------------------

    public int rank() {
        return rank;
    }

    public double alpha() {
        return alpha;
    }

    /** alpha / rank in f32, the factor on B A, computed as llama.cpp computes it. */
    public float scale() {
        return (float) alpha / (float) rank;
    }

    /** The spec of the model it was made for. */
    public ModelSpec spec() {
        return spec;
    }

    /** The adapted weights ({@code blk.N.attn_q.weight}, ...), in the model's layout order. */
    public List<String> targets() {
        return List.copyOf(factors.keySet());
    }

    /** A of {@code target}: [in, rank] in ggml order. */
    public Tensor a(String target) {
        return require(target).a();
    }

    /** B of {@code target}: [rank, out] in ggml order. */
    public Tensor b(String target) {
        return require(target).b();
    }

    /** Every factor by its llama.cpp tensor name ({@code <target>.lora_a}, {@code <target>.lora_b}), A before B. */
    public Map<String, Tensor> tensors() {
        ensureOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        factors.values().forEach(f -> {
            out.put(f.a().name(), f.a());
            out.put(f.b().name(), f.b());
        });
        return out;
    }

    /** The factors of {@code weight}, or null when the adapter leaves it alone. */
    public Factors factors(String weight) {
        ensureOpen();
        return factors.get(weight);
    }

    private Factors require(String target) {
        ensureOpen();
        Factors f = factors.get(target);
        if (f == null) {
            throw new IllegalArgumentException("this adapter does not adapt '" + target + "'; it adapts " + targets());
        }
        return f;
    }

    // ---- models ------------------------------------------------------------------------------------------

    /**
     * Adds the update to the base weights, {@code W += (alpha / rank) B A}, in {@code model} (the model it was made
     * for, or one of the same shapes); the model then computes without the adapter what it computed with it, and
     * is detached from it. Its float weights take the sum; quantized weights are refused.
     */
    public void mergeInto(Model model) {
        requireFits(model);
        for (var e : factors.entrySet()) {
            Tensor w = model.weightTensor(e.getKey());
            if (w.type() != GgmlType.F32 && w.type() != GgmlType.F16 && w.type() != GgmlType.BF16) {
                throw new IllegalArgumentException(e.getKey() + " is stored as " + w.type() + ": merging would round "
                        + "the sum to " + w.type() + " again; load the model with f32 or f16 matrices to merge into it");
            }
        }
        for (var e : factors.entrySet()) {
            Tensor w = model.weightTensor(e.getKey());
            w.setFloats(LowRankUpdate.addTo(w.toFloats(), e.getValue().a().toFloats(), e.getValue().b().toFloats(),
                    (int) w.ne(0), rank, scale()));
        }
        if (model.attachedAdapter() == this) {
            model.detach();
        }
    }

    /** Checks that {@code model} has this adapter's targets in the same shapes, on the same backend. */
    void requireFits(Model model) {
        ensureOpen();
        String problem = null;
        for (var e : factors.entrySet()) {
            long[] expected = {e.getValue().a().ne(0), e.getValue().b().ne(1), 1, 1};
            if (!model.weightNames().contains(e.getKey())) {
                problem = model.spec().name() + " has no weight " + e.getKey();
            } else if (!Arrays.equals(model.weightTensor(e.getKey()).ne(), expected)) {
                expected = Arrays.copyOf(expected, 2);
                problem = e.getKey() + " is " + Arrays.toString(model.weightTensor(e.getKey()).shape()) + " there and "
                        + "the adapter's factors need " + Arrays.toString(expected) + " (ggml order)";
            }
            if (problem != null) {
                throw new IllegalArgumentException("this adapter was made for " + spec.name() + " and does not fit "
                        + model.spec().name() + ": " + problem);
            }
        }
        if (!model.backend().name().equals(backend)) {
            throw new IllegalArgumentException("the adapter's tensors live on " + backend + " and the weights of "
                    + model.spec().name() + " on " + model.backend().name() + "; create or load the adapter for this model");
        }
    }

    /** Called by {@link Model#attach}: one model at a time. */
    void attachTo(Model model) {
        requireFits(model);
        if (attachedTo != null && attachedTo != model) {
            throw new IllegalStateException("this adapter is attached to another model (" + attachedTo.spec().name()
                    + "); detach it there first");
        }
        attachedTo = model;
    }

    /** Called by {@link Model#detach}. */
    void detached() {
        attachedTo = null;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this LoRA adapter was closed; create or load it again");
        }
    }

    /** Detaches the adapter from its model, if any, and frees its tensors. */
    @Override
    public void close() {
        if (!closed) {
            if (attachedTo != null) {
                attachedTo.detach();
            }
            closed = true;
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "LoraAdapter(rank " + rank + ", alpha " + alpha + ", " + factors.size() + " projections of "
                + spec.name() + ")";
    }
}
