package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.RopeMode;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.Yarn;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;

import java.util.List;

/**
 * The lowering of a spec's positional scheme: the one place that decides where positions enter the graph.
 * {@link #of} picks the lowering by one exhaustive {@code switch} over {@link Positional}, so a new scheme
 * does not compile until it has a lowering here. A scheme enters at one or two of these places, and each
 * lowering overrides exactly those; the defaults say "positions do not enter here":
 * <pre>
 *  embed          add a table row per position to the token embeddings   learned, sinusoidal
 *  rotate         rotate q and k by their positions                      RoPE
 *  maxBias        ggml's per-head slopes of the mask's distances         ALiBi
 *  visibleMask    the value of a visible mask entry (0, or -distance)    ALiBi
 *  biasLogits     a learned per-head bias on the logits, via the mask    T5
 *  constantTables fixed tables computed in Java once per model           sinusoidal, Llama 3 RoPE, LongRoPE
 *  bucketIds      the values of the bucket input of every batch          T5
 * </pre>
 * The learned tensors (the learned table, T5's bias table) are listed by {@code WeightLayout}.
 *
 * <p>Dimension legend (ggml order): d dModel, hd headDim, H heads, G kvHeads, T new tokens,
 * K keys visible (cached + T), P contextLength.
 */
public sealed interface Positions {
    /** The name of the sinusoidal table, a constant the model computes rather than learns. */
    String SINUSOIDAL_TABLE = "position_embd.sinusoidal";
    /**
     * The name of the per-pair frequency divisors, computed from the spec: Llama 3's, or LongRoPE's set for the
     * model's context; llama.cpp's tensor name for Llama 3's.
     */
    String ROPE_FREQUENCY_DIVISORS = "rope_freqs.weight";

    static Positions of(ModelSpec spec) {
        return switch (spec.positional()) {
            case Positional.None _ -> new NoPositions();
            case Positional.Learned _ -> new LearnedTable();
            case Positional.Sinusoidal _ -> new SinusoidalTable(spec.dModel(), spec.contextLength());
            case Positional.Rope rope -> new Rotary(rope, spec.ropeHeadDim(), spec.contextLength(),
                    spec.latentAttention());
            case Positional.Alibi alibi -> new LinearBias((float) alibi.maxBias());
            case Positional.T5Bias t5 -> new BucketBias(t5, spec.heads(), spec.mask() != MaskKind.CAUSAL);
        };
    }

    /**
     * The lowering of the layers whose attention slides: {@code global}, unless RoPE gives them their own base
     * ({@link Positional.Rope#slidingTheta}), with which they rotate unscaled.
     */
    static Positions ofSlidingLayers(ModelSpec spec, Positions global) {
        Positional.Rope rope = spec.rope();
        return rope != null && rope.slidingTheta() != 0
                ? new Rotary(rope.onSlidingLayers(), spec.ropeHeadDim(), spec.contextLength(), spec.latentAttention())
                : global;
    }

    /** A fixed table of F32 values {@code [width, rows]} (ggml order), held next to the learned weights. */
    record ConstantTable(String name, int width, int rows, float[] values) {}

    /** The token embeddings {@code x} [d, T] with the positions added. */
    default Tensor embed(GraphBuilder g, Tensor x) {
        return x;
    }

    /** Queries [hd, H, T] or keys [hd, G, T], rotated by their positions. */
    default Tensor rotate(GraphBuilder g, Tensor x) {
        return x;
    }

    /** The max bias soft_max and flash attention turn into per-head slopes of the mask's values; 0 for none. */
    default float maxBias() {
        return 0f;
    }

    /** The value of the mask where query position {@code query} may see key position {@code key}. */
    default float visibleMask(int query, int key) {
        return 0f;
    }

    /**
     * Whether {@link #biasLogits} adds a learned bias: a training graph must then add it to the logits itself,
     * since soft_max's gradient does not reach its mask.
     */
    default boolean learnsLogitBias() {
        return false;
    }

    /** The mask [K, T], or with a per-head bias on the logits added: [K, T, H]. */
    default Tensor biasLogits(GraphBuilder g, Tensor mask) {
        return mask;
    }

    /** Fixed tables the weights of a model that runs {@code contextLength} positions compute once and hold. */
    default List<ConstantTable> constantTables(int contextLength) {
        return List.of();
    }

    /**
     * The bucket of every (key, query) pair [K * T] of a batch whose first token is at {@code start}; asked for
     * only by a lowering that made {@link Inputs#buckets()} part of its graph.
     */
    default int[] bucketIds(int start, int keys, int queries) {
        throw new IllegalStateException(this + " puts no relative-position buckets into the graph");
    }

    /** NoPE: only the causal mask breaks the symmetry between positions. */
    record NoPositions() implements Positions {}

    /** Learned absolute positions: row p of the learned table [d, P] is added to token p's embedding. */
    record LearnedTable() implements Positions {
        @Override
        public Tensor embed(GraphBuilder g, Tensor x) {
            return addRows(g, x, "position_embd.weight");
        }
    }

    /** The fixed sin/cos table [d, P] of "Attention Is All You Need": row p is added to token p's embedding. */
    record SinusoidalTable(int dModel, int contextLength) implements Positions {
        @Override
        public Tensor embed(GraphBuilder g, Tensor x) {
            return addRows(g, x, SINUSOIDAL_TABLE);
        }

        @Override
        public List<ConstantTable> constantTables(int runContext) {
            float[] table = new float[dModel * contextLength];
            for (int p = 0; p < contextLength; p++) {
                for (int i = 0; i < dModel; i++) {
                    table[p * dModel + i] = (float) Positional.Sinusoidal.value(p, i, dModel);
                }
            }
            return List.of(new ConstantTable(SINUSOIDAL_TABLE, dModel, contextLength, table));
        }
    }

    /**
     * RoPE: q and k are rotated pair by pair, by angles proportional to their positions. With
     * {@code unitMagnitude} (latent attention, as DeepSeek scales YaRN) the rotated dimensions keep their length
     * under YaRN; the logit scale carries the temperature correction instead.
     */
    record Rotary(Positional.Rope rope, int headDim, int contextLength, boolean unitMagnitude) implements Positions {
        @Override
        public Tensor rotate(GraphBuilder g, Tensor x) {
            RopeMode mode = rope.pairing() == RopePairing.ADJACENT ? RopeMode.NORMAL : RopeMode.NEOX;
            float freqScale = 1f;
            int trained = contextLength;
            Yarn yarn = Yarn.OFF;
            Tensor divisors = null;
            switch (rope.scaling()) {
                case RopeScaling.Linear lin -> freqScale = (float) (1.0 / lin.factor());
                case RopeScaling.Yarn y -> {
                    freqScale = (float) (1.0 / y.factor());
                    trained = y.trainedContext();
                    // ggml multiplies attnFactor by YaRN's 0.1 ln(s) + 1 itself when extFactor is non-zero.
                    // DeepSeek's MLA keeps the rotated dimensions' length: attnFactor cancels that factor.
                    float magnitude = unitMagnitude ? (float) (1.0 / y.attentionFactor()) : 1f;
                    yarn = new Yarn(1f, magnitude, (float) y.betaFast(), (float) y.betaSlow());
                }
                case RopeScaling.Llama3 _ -> divisors = g.weights.get(ROPE_FREQUENCY_DIVISORS);
                case RopeScaling.LongRope longRope -> {
                    divisors = g.weights.get(ROPE_FREQUENCY_DIVISORS);
                    yarn = new Yarn(0f, (float) longRope.attentionFactor(), 0f, 0f); // no blend: cos, sin scaled
                }
                case RopeScaling.None _ -> { }
                case RopeScaling.NtkAware _ -> { } // a raised base: effectiveTheta below
            }
            return g.ctx.attention().rope(x, g.inputs.positions(), divisors, rope.rotatedDims(headDim), mode, trained,
                    (float) rope.effectiveTheta(headDim), freqScale, yarn);
        }

        /**
         * The divisors, one per rotated pair: Llama 3's, as llama.cpp's converter writes them into rope_freqs, or
         * LongRoPE's short or long set, as the model runs at most its trained context or more (llama.cpp's choice by
         * its context size, which it rounds up to a multiple of 256 first).
         */
        @Override
        public List<ConstantTable> constantTables(int runContext) {
            int dims = rope.rotatedDims(headDim);
            return switch (rope.scaling()) {
                case RopeScaling.Llama3 llama3 -> List.of(new ConstantTable(ROPE_FREQUENCY_DIVISORS, dims / 2, 1,
                        llama3.frequencyDivisors(dims, rope.effectiveTheta(headDim))));
                case RopeScaling.LongRope longRope -> List.of(new ConstantTable(ROPE_FREQUENCY_DIVISORS, dims / 2, 1,
                        longRope.divisorsFor(runContext)));
                case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Yarn _ -> List.of();
            };
        }
    }

    /**
     * ALiBi: a visible mask entry holds -|q - k| instead of 0, and ggml multiplies it by each head's slope
     * (derived from {@code maxBias}) inside soft_max, so the bias costs no tensor of its own.
     */
    record LinearBias(float maxBias) implements Positions {
        @Override
        public float visibleMask(int query, int key) {
            return -Math.abs(query - key);
        }

        /**
         * ggml's slope for head {@code head} of {@code heads}: with n the largest power of two up to {@code heads},
         * 2^(-maxBias (h + 1) / n) for the first n heads and 2^(-maxBias (2 (h - n) + 1) / 2n) for the rest.
         */
        static float slope(float maxBias, int head, int heads) {
            int n = Integer.highestOneBit(heads);
            float m0 = (float) Math.pow(2.0, -maxBias / n);
            float m1 = (float) Math.pow(2.0, -(maxBias / 2f) / n);
            return head < n ? (float) Math.pow(m0, head + 1) : (float) Math.pow(m1, 2 * (head - n) + 1);
        }
    }

    /**
     * T5's bucketed relative bias, shared by all layers: each (key, query) pair's bucket selects a row of the
     * bias table [H, buckets], added to the mask so that soft_max adds it to the logits.
     */
    record BucketBias(Positional.T5Bias t5, int heads, boolean bidirectional) implements Positions {
        @Override
        public boolean learnsLogitBias() {
            return true;
        }

        @Override
        public Tensor biasLogits(GraphBuilder g, Tensor mask) {
            Context ctx = g.ctx;
            int keys = g.shape.keys(), tokens = g.shape.queries();
            Tensor bias = ctx.getRows(g.weights.get("blk.0.attn_rel_b.weight"), g.inputs.buckets()); // [H, K * T]
            bias = ctx.cont(ctx.permute(ctx.reshape(bias, heads, keys, tokens), 2, 0, 1, 3)); // [K, T, H]
            return ctx.add(bias, mask);
        }

        @Override
        public int[] bucketIds(int start, int keys, int queries) {
            int[] ids = new int[keys * queries];
            for (int t = 0; t < queries; t++) {
                int q = start + t;
                for (int k = 0; k < keys; k++) {
                    ids[t * keys + k] = t5.bucket(k - q, bidirectional);
                }
            }
            return ids;
        }
    }

    /** x [d, T] plus the rows [d, T] of the position table {@code table} [d, P] at the batch's positions. */
    private static Tensor addRows(GraphBuilder g, Tensor x, String table) {
        Tensor rows = g.ctx.getRows(g.weights.get(table), g.inputs.positions());
        return g.ctx.add(x, g.name(rows, "pos_embd"));
    }
}
