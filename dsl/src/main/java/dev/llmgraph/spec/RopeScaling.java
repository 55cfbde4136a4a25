package dev.llmgraph.spec;

/**
 * Ways to run RoPE past the context it was trained on, by a factor s = new length / trained length.
 * <pre>
 *  none()                 plain RoPE: positions past the training length give unseen angles
 *  linear(s)              position interpolation (Chen et al. 2023): position p is used as p / s, so all
 *                         angles stay in the trained range, at the price of resolution
 *  ntkAware(s)            raise the base to theta * s^(d / (d - 2)): high frequencies (local order) stay,
 *                         low frequencies are interpolated (bloc97's "NTK-aware" scaling)
 *  yarn(s, trainedLength) YaRN (Peng et al. 2023): interpolate only the low frequencies, keep the high
 *                         ones, blend in between, and rescale the attention logits
 * </pre>
 */
public sealed interface RopeScaling {
    /** Whether this is YaRN, whose attention temperature DeepSeek's latent attention and config files carry. */
    default boolean isYarn() {
        return switch (this) {
            case Yarn _ -> true;
            case None _, Linear _, NtkAware _ -> false;
        };
    }

    static None none() {
        return new None();
    }

    static Linear linear(double factor) {
        return new Linear(factor);
    }

    static NtkAware ntkAware(double factor) {
        return new NtkAware(factor);
    }

    static Yarn yarn(double factor, int trainedContext) {
        return new Yarn(factor, trainedContext, 32, 1);
    }

    record None() implements RopeScaling {
        @Override
        public String toString() {
            return "no scaling";
        }
    }

    record Linear(double factor) implements RopeScaling {
        @Override
        public String toString() {
            return "linear x" + factor;
        }
    }

    record NtkAware(double factor) implements RopeScaling {
        /** theta * s^(d / (d - 2)) for {@code dims} rotated dimensions. */
        public double scaledTheta(double theta, int dims) {
            return theta * Math.pow(factor, dims / (dims - 2.0));
        }

        @Override
        public String toString() {
            return "NTK-aware x" + factor;
        }
    }

    /**
     * @param factor         the context extension s
     * @param trainedContext the original training context
     * @param betaFast       above this many rotations over the trained context, dimensions extrapolate
     * @param betaSlow       below this many, they interpolate
     */
    record Yarn(double factor, int trainedContext, double betaFast, double betaSlow) implements RopeScaling {
        /**
         * How much RoPE pair {@code pair} (of {@code dims} rotated dimensions, base {@code theta}) keeps its
         * original frequency: 1 for pairs that turn more than betaFast times over the trained context (high
         * frequencies: local order, left alone), 0 for pairs that turn fewer than betaSlow times (low
         * frequencies: interpolated by the factor), a linear ramp in between. The ramp's ends are the pair
         * indices where those rotation counts are reached, rounded outwards, as ggml's rope_yarn uses them.
         */
        public double extrapolation(int pair, int dims, double theta) {
            double low = Math.max(0, Math.floor(pairTurning(betaFast, dims, theta)));
            double high = Math.min(dims - 1, Math.ceil(pairTurning(betaSlow, dims, theta)));
            double ramp = (pair - low) / Math.max(0.001, high - low);
            return 1 - Math.min(1, Math.max(0, ramp));
        }

        /** The (fractional) pair index whose wavelength fits {@code rotations} times into the trained context. */
        private double pairTurning(double rotations, int dims, double theta) {
            return dims * Math.log(trainedContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
        }

        /**
         * YaRN's attention temperature correction, 0.1 ln(s) + 1. ggml multiplies the rotated dimensions of
         * q and k by it, so their contribution to the logits grows by its square (the paper's 1/t); the
         * dimensions partial RoPE leaves unrotated keep their scale.
         */
        public double attentionFactor() {
            return 0.1 * Math.log(factor) + 1.0;
        }

        @Override
        public String toString() {
            return "YaRN x" + factor + " from " + trainedContext;
        }
    }
}
