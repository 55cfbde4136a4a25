package dev.llmgraph.train;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Gradients;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.TrainingOps;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.TrainingGraph;
import dev.llmgraph.spec.ModelSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * AdamW on a training graph: the moments of every trained weight (in the backend's memory, kept between
 * steps), and the ops appended to the graph after its backward pass: the global gradient norm, the clipping
 * factor {@code min(1, clip / (norm + 1e-6))}, and ggml's fused AdamW update of each weight in place. One
 * computation of the graph is then one whole training step.
 */
final class AdamW implements AutoCloseable {
    private final TrainingConfig config;
    private final Context state;
    private final Map<String, Tensor> firstMoments = new LinkedHashMap<>();
    private final Map<String, Tensor> secondMoments = new LinkedHashMap<>();
    private final Tensor decayed, undecayed, clip;
    private final Tensor gradientNorm;

    AdamW(TrainingGraph graph, TrainingConfig config) {
        this.config = config;
        Map<String, Tensor> parameters = graph.parameters();
        this.state = Context.create(2 * parameters.size() + 3);
        try {
            for (var e : parameters.entrySet()) {
                firstMoments.put(e.getKey(), state.newTensor("m." + e.getKey(), GgmlType.F32, e.getValue().ne()));
                secondMoments.put(e.getKey(), state.newTensor("v." + e.getKey(), GgmlType.F32, e.getValue().ne()));
            }
            decayed = state.newTensor("adamw.decayed", GgmlType.F32, TrainingOps.ADAMW_PARAMETERS);
            undecayed = state.newTensor("adamw.undecayed", GgmlType.F32, TrainingOps.ADAMW_PARAMETERS);
            clip = state.newTensor("adamw.clip", GgmlType.F32, 1);
            state.allocate(graph.backend());
            for (Tensor m : firstMoments.values()) {
                m.setFloats(new float[(int) m.elementCount()]);
            }
            for (Tensor v : secondMoments.values()) {
                v.setFloats(new float[(int) v.elementCount()]);
            }
            clip.setFloats(new float[] {(float) config.clipNorm()});
            this.gradientNorm = appendSteps(graph);
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    private Tensor appendSteps(TrainingGraph graph) {
        Set<String> decaying = decayedWeights(graph.model().spec());
        Context ctx = graph.context();
        TrainingOps ops = TrainingOps.of(ctx);
        Gradients gradients = graph.gradients();
        Tensor squares = null;
        for (Tensor p : graph.parameters().values()) {
            Tensor g = gradients.of(p);
            Tensor s = ops.sum(ctx.sqr(g));
            squares = squares == null ? s : ctx.add(squares, s);
        }
        Tensor norm = ctx.sqrt(squares).markOutput();
        graph.graph().expand(norm); // reported every step, also when no clipping reads it
        Tensor factor = null;
        if (config.clipNorm() > 0) {
            // min(1, clip / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_ computes it
            factor = ctx.clamp(ctx.div(clip, ops.scaleBias(norm, 1f, 1e-6f)), 0f, 1f);
        }
        for (var e : graph.parameters().entrySet()) {
            Tensor p = e.getValue();
            Tensor g = gradients.of(p);
            boolean decays = decaying.contains(e.getKey()) || LoraAdapter.isAdapterTensor(e.getKey());
            Tensor step = ops.adamwStep(p, factor == null ? g : ctx.mul(g, factor), firstMoments.get(e.getKey()),
                    secondMoments.get(e.getKey()), decays ? decayed : undecayed);
            graph.graph().expand(step);
        }
        return norm;
    }

    /**
     * The weights weight decay applies to (and to a LoRA adapter's A and B, matrices too): those declared with two
     * or more dimensions (matrices, embedding and
     * position tables, T5's bias table), not the 1-d norm gains and biases. This is torch's {@code p.dim() >= 2}
     * on the exported checkpoint, which keeps each weight's rank. Read from the plan, not from the ggml tensor:
     * a projection to one output is {@code [in, 1]}, whose {@code ne[1]} is 1 but which is still a matrix.
     */
    static Set<String> decayedWeights(ModelSpec spec) {
        return spec.plan().weights().stream().filter(w -> w.ne().length >= 2).map(w -> w.name())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Sets the optimizer's values for step {@code step} (1-based) before the graph computes it. */
    void prepare(int step) {
        double lr = config.learningRateAt(step);
        float b1h = (float) (1 / (1 - Math.pow(config.beta1(), step)));
        float b2h = (float) (1 / (1 - Math.pow(config.beta2(), step)));
        float[] values = {(float) lr, (float) config.beta1(), (float) config.beta2(), (float) config.epsilon(),
                (float) config.weightDecay(), b1h, b2h};
        decayed.setFloats(values);
        values[4] = 0f;
        undecayed.setFloats(values);
    }

    /** The global gradient norm of the last step, before clipping. */
    double gradientNorm() {
        return gradientNorm.toFloats()[0];
    }

    Map<String, Tensor> firstMoments() {
        return firstMoments;
    }

    Map<String, Tensor> secondMoments() {
        return secondMoments;
    }

    @Override
    public void close() {
        state.close();
    }
}
