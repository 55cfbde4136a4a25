package dev.llmgraph.model.lower;

import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.plan.Block;
import dev.llmgraph.spec.plan.Plan;

import java.util.HashMap;
import java.util.Map;

/**
 * Emits the ggml ops of one forward pass of a spec over a batch of tokens by walking the spec's
 * {@link Plan}: the embedding steps, each block's steps, the output steps, each lowered by
 * {@link StepLowering} (attention by an {@link AttentionLowering}).
 *
 * <p>Dimension legend (ggml order, ne[0] first):
 * <pre>
 *  d   dModel            T   tokens in this batch        V  vocabSize
 *  hd  headDim           K   keys visible (cached + T)   f  ffn width
 *  x   [d, T]            residual stream
 * </pre>
 * Every node the plan lists is named here (the shape trace prints them); a name can map to the same
 * tensor as another (e.g. {@code embd} is {@code tok_embd} when nothing is added).
 */
public final class GraphBuilder {
    final ModelSpec spec;
    final Context ctx;
    final Graph graph;
    final Weights weights;
    /** The LoRA adapter whose updates {@link #linear} adds, or null. */
    final LoraAdapter adapter;
    final Shape shape;
    public final Map<String, Tensor> named = new HashMap<>();
    /** Where positions enter: the embeddings, q and k, or the attention logits. */
    final Positions positions;
    /** How the layers whose attention slides rotate q and k: {@link #positions}, or RoPE with their own base. */
    private final Positions slidingPositions;

    /**
     * The shape of a graph, which is all that decides its ops: a graph is reused for every batch of the
     * same shape, with new inputs.
     *
     * @param tokens    new tokens T (in training, every token of every sequence of the batch)
     * @param keys      cache rows attention reads (K, padded past the tokens seen; the mask hides the padding);
     *                  in training, the length of one sequence
     * @param allLogits logits for every new token, or only the last
     * @param sequences sequences in the batch, each attending only within itself (1 for inference)
     * @param trainable whether the graph is built for training: from ops ggml can differentiate, with no cache
     */
    public record Shape(int tokens, int keys, boolean allLogits, int sequences, boolean trainable) {
        public Shape(int tokens, int keys, boolean allLogits) {
            this(tokens, keys, allLogits, 1, false);
        }

        /** A training batch of {@code sequences} sequences of {@code length} tokens. */
        public static Shape training(int sequences, int length) {
            return new Shape(sequences * length, length, true, sequences, true);
        }

        /** Tokens of one sequence (the queries a mask row set covers). */
        int queries() {
            return tokens / sequences;
        }
    }

    /** The inputs the caller fills after allocation. */
    final Inputs inputs;

    public GraphBuilder(ModelSpec spec, Weights weights, LoraAdapter adapter, KvCache cache, Context ctx, Graph graph,
                 Shape shape) {
        this.spec = spec;
        this.ctx = ctx;
        this.graph = graph;
        this.weights = weights;
        this.adapter = adapter;
        this.shape = shape;
        this.positions = Positions.of(spec);
        this.slidingPositions = Positions.ofSlidingLayers(spec, positions);
        this.inputs = new Inputs(spec, positions, ctx, shape, cache);
    }

    /** The positions of block {@code layer}: its own RoPE base where its attention slides and the spec says so. */
    Positions positionsOf(int layer) {
        return spec.attention() != null && spec.attention().slides(layer) ? slidingPositions : positions;
    }

    /** Sets a forward step's inputs: token ids from position {@code start}, the first {@code prefix} bidirectional. */
    public void fillInputs(int[] ids, int start, int prefix) {
        inputs.fill(ids, start, prefix);
    }

    /** As {@link #fillInputs(int[], int, int)}, with each token's type (null: all type 0; encoders). */
    public void fillInputs(int[] ids, int[] types, int start, int prefix) {
        inputs.fill(ids, types, start, prefix);
    }

    /** As {@link #fillInputs(int[], int[], int, int)}, an encoder's mask chosen by the call (null: bidirectional). */
    public void fillInputs(int[] ids, int[] types, int start, AttentionMask mask) {
        inputs.fill(ids, types, start, 0, mask);
    }

    /** Sets the inputs of a training step: a batch of token ids, with a bidirectional prefix of {@code prefix}. */
    public void fillTrainingInputs(int[] ids, int prefix) {
        inputs.fillTraining(ids, prefix);
    }

    /**
     * Builds the whole pass from the spec's plan, one step at a time; returns the logits [V, T] (or [V, 1]
     * for the last token only).
     */
    public Tensor build(KvCache cache) {
        Plan plan = spec.plan();
        StepLowering steps = new StepLowering(this, shape.trainable() ? new TrainableAttention(this)
                : new CachedAttention(this, cache),
                !shape.trainable() && spec.ssm() != null ? new SsmLowering(this, cache.recurrent()) : null,
                !shape.trainable() && spec.rwkv() != null ? new RwkvLowering(this, cache.recurrent()) : null,
                !shape.trainable() && spec.linear() != null ? new LinearAttentionLowering(this, cache.recurrent())
                        : null);
        Tensor x = steps.lower(plan.input(), null, LastTokenTrim.NONE);
        boolean shifts = spec.rwkv() != null;
        for (Block block : plan.blocks()) {
            // RWKV's channel mix shifts its input by one token, so its last block needs every token, not the last.
            x = steps.lower(block.steps(), x, shifts ? LastTokenTrim.NONE
                    : LastTokenTrim.of(ctx, shape, block.layer(), spec.layers()));
        }
        if (shifts && !shape.allLogits() && shape.tokens() != 1) {
            x = ctx.view(x, new long[] {x.ne(0), 1}, new long[] {x.nb(1)}, (x.ne(1) - 1) * x.nb(1)); // last token
        }
        return steps.lower(plan.output(), x, LastTokenTrim.NONE).markOutput();
    }

    // ---- shared pieces ---------------------------------------------------------------------------------

    /** What a product multiplies by for the weight {@code name} ({@link Weights#matrix}). */
    Tensor matrix(String name) {
        return weights.matrix(name, shape.trainable());
    }

    /**
     * W x (+ b) for the weight {@code base}.weight [in, out] and optional {@code base}.bias [out]; with an adapter
     * on W, W x + (alpha / rank) B (A x) before the bias, in the order llama.cpp's {@code build_lora_mm} adds it.
     */
    Tensor linear(Tensor x, String base) {
        String name = base + ".weight";
        Tensor y = ctx.mulMat(matrix(name), x);                            // [out, T]
        LoraAdapter.Factors lora = adapter == null ? null : adapter.factors(name);
        if (lora != null) {
            Tensor update = ctx.mulMat(lora.b(), ctx.mulMat(lora.a(), x)); // [rank, T] -> [out, T]
            y = ctx.add(y, ctx.scale(update, adapter.scale()));
        }
        Tensor bias = weights.find(base + ".bias");
        return bias == null ? y : ctx.add(y, bias);
    }

    /** {@code norm} over ne[0] with the weight and bias named {@code base} (where the norm has them). */
    Tensor normWith(Norm norm, Tensor x, String base) {
        Tensor y = switch (norm) {
            case Norm.LayerNorm ln -> shape.trainable() ? Differentiable.layerNorm(ctx, x, (float) ln.eps())
                    : ctx.norm(x, (float) ln.eps());
            case Norm.RmsNorm rms -> ctx.rmsNorm(x, (float) rms.eps());
            case Norm.SimpleRmsNorm simple -> ctx.rmsNorm(x, (float) simple.eps());
        };
        Tensor weight = weights.find(base + ".weight");
        if (weight != null) {
            y = ctx.mul(y, weight);
        }
        Tensor bias = weights.find(base + ".bias");
        return bias == null ? y : ctx.add(y, bias);
    }

    /** c * tanh(x / c). */
    Tensor softcap(Tensor x, double cap) {
        Tensor scaled = ctx.scale(x, (float) (1.0 / cap));
        return ctx.scale(shape.trainable() ? Differentiable.tanh(ctx, scaled) : ctx.tanh(scaled), (float) cap);
    }

    /** Names a node (for inspection and the shape trace); a tensor can carry several names. */
    Tensor name(Tensor t, String name) {
        t.name(name);
        named.put(name, t);
        return t;
    }
}
