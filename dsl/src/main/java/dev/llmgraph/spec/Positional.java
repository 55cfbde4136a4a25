package dev.llmgraph.spec;

/**
 * How a model knows where a token is.
 * <pre>
 *  none()         NoPE: only the causal mask breaks the symmetry
 *  learned()      a trained table of contextLength x dModel added to the embeddings (GPT-2, BERT)
 *  sinusoidal()   the fixed sin/cos table of "Attention Is All You Need", added to the embeddings
 *  rope(theta)    rotary embedding of q and k: their dot product depends only on the distance
 *                 (RoFormer; LLaMA, Mistral, Qwen, ChatGLM2, Falcon)
 *  alibi()        a per-head linear penalty -m_h * distance on the attention logits (BLOOM, MPT)
 *  t5Bias(...)    a learned per-head bias for each bucket of relative distance (T5)
 * </pre>
 */
public sealed interface Positional {
    /** Learned parameters this scheme adds to a model (RoPE and ALiBi have none). */
    long parameters(int dModel, int contextLength, int heads);

    /** Whether a table row per position is added to the token embeddings (learned and sinusoidal tables). */
    boolean addsToEmbeddings();

    /** Whether queries and keys are rotated by their positions (RoPE). */
    boolean rotatesQueriesAndKeys();

    /** Whether the scheme gives the model positions (every choice but {@link None}, NoPE). */
    default boolean addsPositions() {
        return switch (this) {
            case None _ -> false;
            case Learned _, Sinusoidal _, Rope _, Alibi _, T5Bias _ -> true;
        };
    }

    static None none() {
        return new None();
    }

    static Learned learned() {
        return new Learned();
    }

    static Sinusoidal sinusoidal() {
        return new Sinusoidal();
    }

    /** RoPE over whole heads with base {@code theta}, adjacent-pair rotation, no scaling. */
    static Rope rope(double theta) {
        return new Rope(theta, 1.0, RopePairing.ADJACENT, RopeScaling.none());
    }

    /** ALiBi with BLOOM's slopes (max bias 8: head h of H gets slope 2^(-8(h+1)/H)). */
    static Alibi alibi() {
        return new Alibi(8.0);
    }

    /** T5's bucketed relative bias: T5 uses 32 buckets and a max distance of 128. */
    static T5Bias t5Bias(int buckets, int maxDistance) {
        return new T5Bias(buckets, maxDistance);
    }

    record None() implements Positional {
        @Override
        public long parameters(int dModel, int contextLength, int heads) {
            return 0;
        }

        @Override
        public boolean addsToEmbeddings() {
            return false;
        }

        @Override
        public boolean rotatesQueriesAndKeys() {
            return false;
        }

        @Override
        public String toString() {
            return "NoPE";
        }
    }

    record Learned() implements Positional {
        @Override
        public long parameters(int dModel, int contextLength, int heads) {
            return (long) dModel * contextLength;
        }

        @Override
        public boolean addsToEmbeddings() {
            return true;
        }

        @Override
        public boolean rotatesQueriesAndKeys() {
            return false;
        }

        @Override
        public String toString() {
            return "learned absolute";
        }
    }

    record Sinusoidal() implements Positional {
        /** The table value for position {@code pos} and dimension {@code i} of {@code d}. */
        public static double value(int pos, int i, int d) {
            double angle = pos / Math.pow(10_000, (2 * (i / 2)) / (double) d);
            return i % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
        }

        @Override
        public long parameters(int dModel, int contextLength, int heads) {
            return 0;
        }

        @Override
        public boolean addsToEmbeddings() {
            return true;
        }

        @Override
        public boolean rotatesQueriesAndKeys() {
            return false;
        }

        @Override
        public String toString() {
            return "sinusoidal";
        }
    }

    /**
     * Rotary position embedding.
     *
     * @param theta        the frequency base (10 000 in RoFormer and LLaMA-2, 500 000 in LLaMA-3)
     * @param fraction     the share of each head's dimensions that rotates (1.0 = all; 0.5 in ChatGLM2,
     *                     0.25 in GPT-NeoX); the rotated count is rounded down to an even number
     * @param pairing      which dimensions rotate together
     * @param scaling      how the context is stretched beyond the training length
     * @param slidingTheta the base of the layers whose attention slides, which then rotate unscaled (Gemma 3: 10 000
     *                     on its local layers, 1 000 000 and the scaling on its global ones); 0: every layer rotates
     *                     alike. A value equal to theta without scaling reads as 0, so that equal specs compare equal
     */
    record Rope(double theta, double fraction, RopePairing pairing, RopeScaling scaling, double slidingTheta)
            implements Positional {
        public Rope {
            if (slidingTheta == theta && RopeScaling.none().equals(scaling)) {
                slidingTheta = 0;
            }
        }

        /** RoPE that rotates every layer alike. */
        public Rope(double theta, double fraction, RopePairing pairing, RopeScaling scaling) {
            this(theta, fraction, pairing, scaling, 0);
        }

        public Rope withTheta(double theta) {
            return new Rope(theta, fraction, pairing, scaling, slidingTheta);
        }

        public Rope withFraction(double fraction) {
            return new Rope(theta, fraction, pairing, scaling, slidingTheta);
        }

        public Rope withPairing(RopePairing pairing) {
            return new Rope(theta, fraction, pairing, scaling, slidingTheta);
        }

        public Rope withScaling(RopeScaling scaling) {
            return new Rope(theta, fraction, pairing, scaling, slidingTheta);
        }

        /**
         * The layers with a sliding window rotate with base {@code slidingTheta} and without scaling; the others as
         * before (Gemma 3: {@code rope(1_000_000).withSlidingTheta(10_000)}). 0 rotates every layer alike.
         */
        public Rope withSlidingTheta(double slidingTheta) {
            return new Rope(theta, fraction, pairing, scaling, slidingTheta);
        }

        /** Whether the layers that slide rotate scaled: with no base of their own, under a scaling of this RoPE. */
        public boolean scalesSlidingLayers() {
            return !onSlidingLayers().scaling().equals(RopeScaling.none());
        }

        /** The RoPE a layer whose attention slides applies: this one, or with its own base and unscaled. */
        public Rope onSlidingLayers() {
            return slidingTheta == 0 ? this : new Rope(slidingTheta, fraction, pairing, RopeScaling.none(), 0);
        }

        /** Rotated dimensions per head. */
        public int rotatedDims(int headDim) {
            int dims = (int) Math.floor(headDim * fraction);
            return dims - dims % 2;
        }

        /** The base actually used: theta, raised by NTK-aware scaling. */
        public double effectiveTheta(int headDim) {
            return switch (scaling) {
                case RopeScaling.NtkAware ntk -> ntk.scaledTheta(theta, rotatedDims(headDim));
                case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.Yarn _, RopeScaling.Llama3 _,
                     RopeScaling.LongRope _ -> theta;
            };
        }

        /** Rotation frequency of pair {@code i} (radians per position), before position interpolation. */
        public double frequency(int i, int headDim) {
            return Math.pow(effectiveTheta(headDim), -2.0 * i / rotatedDims(headDim));
        }

        /**
         * {@link #scaledFrequency(int, int, int)} for a model run beyond its trained context, the case scaling is for:
         * LongRoPE's long factors.
         */
        public double scaledFrequency(int i, int headDim) {
            return scaledFrequency(i, headDim, Integer.MAX_VALUE);
        }

        /**
         * Rotation frequency of pair {@code i} (radians per position) as a model that runs {@code contextLength}
         * positions applies it: linear scaling divides every frequency by its factor s, NTK-aware raises the base
         * ({@link #effectiveTheta}), YaRN divides only the low frequencies by s, keeps the high ones and blends in
         * between ({@link RopeScaling.Yarn#extrapolation}), Llama 3's divides each by its own divisor
         * ({@link RopeScaling.Llama3#frequencyDivisor}), LongRoPE by its short or long factor, as the context is
         * within the trained one or beyond it ({@link RopeScaling.LongRope#factorsFor}).
         */
        public double scaledFrequency(int i, int headDim, int contextLength) {
            double f = frequency(i, headDim);
            return switch (scaling) {
                case RopeScaling.Linear linear -> f / linear.factor();
                case RopeScaling.Yarn yarn -> {
                    double keep = yarn.extrapolation(i, rotatedDims(headDim), theta);
                    yield f * keep + f / yarn.factor() * (1 - keep);
                }
                case RopeScaling.Llama3 llama3 -> f / llama3.frequencyDivisor(i, rotatedDims(headDim), theta);
                case RopeScaling.LongRope longRope -> f / longRope.factorsFor(contextLength).get(i);
                case RopeScaling.None none -> f;
                case RopeScaling.NtkAware ntk -> f;
            };
        }

        @Override
        public long parameters(int dModel, int contextLength, int heads) {
            return 0;
        }

        @Override
        public boolean addsToEmbeddings() {
            return false;
        }

        @Override
        public boolean rotatesQueriesAndKeys() {
            return true;
        }

        @Override
        public String toString() {
            return "RoPE(theta=" + theta + (fraction != 1.0 ? ", fraction=" + fraction : "") + ", " + pairing
                    + (scaling.equals(RopeScaling.none()) ? "" : ", " + scaling)
                    + (slidingTheta == 0 ? "" : ", sliding layers theta=" + slidingTheta) + ")";
        }
    }

    /**
     * ALiBi: head h of H adds {@code -m_h * |q - k|} to its logits (in a causal mask q - k; a prefix
     * decoder's prefix, which also sees later keys, is penalised by the absolute distance), with
     * {@code m_h = 2^(-maxBias * (h + 1) / H)} for H a power of two (ggml and BLOOM interleave a second
     * series for other H).
     */
    record Alibi(double maxBias) implements Positional {
        /** Slope of head {@code h} of {@code heads}, as ggml and BLOOM compute it. */
        public double slope(int h, int heads) {
            int base = Integer.highestOneBit(heads);
            double m0 = Math.pow(2, -maxBias / base);
            double m1 = Math.pow(2, -maxBias / 2 / base);
            return h < base ? Math.pow(m0, h + 1) : Math.pow(m1, 2 * (h - base) + 1);
        }

        @Override
        public long parameters(int dModel, int contextLength, int heads) {
            return 0;
        }

        @Override
        public boolean addsToEmbeddings() {
            return false;
        }

        @Override
        public boolean rotatesQueriesAndKeys() {
            return false;
        }

        @Override
        public String toString() {
            return "ALiBi(max bias " + maxBias + ")";
        }
    }

    /**
     * T5's relative position bias: the distance k - q falls into one of {@code buckets} buckets (half
     * for each direction when attention is bidirectional; exact for small distances, logarithmic up to
     * {@code maxDistance}), and each head learns one bias per bucket. T5 computes it once and shares it
     * across layers. A causal decoder uses the one-directional buckets, a prefix decoder the bidirectional
     * ones. The bias is added to the scaled (and soft-capped) logits.
     */
    record T5Bias(int buckets, int maxDistance) implements Positional {
        /** T5's bucket of relative distance {@code k - q}. */
        public int bucket(int relative, boolean bidirectional) {
            int n = buckets;
            int offset = 0;
            int distance;
            if (bidirectional) {
                n /= 2;
                offset = relative > 0 ? n : 0;
                distance = Math.abs(relative);
            } else {
                distance = Math.max(-relative, 0);
            }
            int exact = n / 2;
            if (distance < exact) {
                return offset + distance;
            }
            int large = exact + (int) (Math.log((double) distance / exact) / Math.log((double) maxDistance / exact)
                    * (n - exact));
            return offset + Math.min(large, n - 1);
        }

        @Override
        public long parameters(int dModel, int contextLength, int heads) {
            return (long) buckets * heads;
        }

        @Override
        public boolean addsToEmbeddings() {
            return false;
        }

        @Override
        public boolean rotatesQueriesAndKeys() {
            return false;
        }

        @Override
        public String toString() {
            return "T5 bias(" + buckets + " buckets, max distance " + maxDistance + ")";
        }
    }
}
