package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

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
 *  llama3(s, trainedLength)
 *                         Llama 3.1's scaling: divide the frequencies whose wavelength exceeds the trained
 *                         length (by default) by s, keep those whose wavelength is under a quarter of it, blend
 *                         in between; no change to the logits. llama.cpp stores the per-pair divisors as the
 *                         tensor rope_freqs
 *  longRope(short, long, trainedLength, contextLength)
 *                         LongRoPE (Ding et al. 2024; Phi-3's 128k models, Phi-3.5, Phi-4-mini): two searched sets
 *                         of per-pair divisors, the short one for contexts up to the trained length and the long one
 *                         beyond it, and cos and sin multiplied by sqrt(1 + ln(s) / ln(trainedLength)). llama.cpp
 *                         stores the sets as the tensors rope_factors_short and rope_factors_long
 * </pre>
 */
public sealed interface RopeScaling {
    /** Whether this is YaRN, whose attention temperature DeepSeek's latent attention and config files carry. */
    default boolean isYarn() {
        return switch (this) {
            case Yarn _ -> true;
            case None _, Linear _, NtkAware _, Llama3 _, LongRope _ -> false;
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

    /** Llama 3.1's scaling with its published ramp: wavelengths of 1 to 1/4 of {@code trainedContext}. */
    static Llama3 llama3(double factor, int trainedContext) {
        return new Llama3(factor, 1, 4, trainedContext);
    }

    /**
     * LongRoPE with the paper's attention factor for a model that runs {@code contextLength} positions: with s =
     * contextLength / trainedContext, sqrt(1 + ln(s) / ln(trainedContext)), and 1 where s is at most 1 (Hugging Face's
     * and llama.cpp's converter's reading of Phi-3's config, whose max_position_embeddings is contextLength).
     */
    static LongRope longRope(List<Double> shortFactors, List<Double> longFactors, int trainedContext,
                             int contextLength) {
        return new LongRope(shortFactors, longFactors, trainedContext,
                LongRope.paperAttentionFactor((double) contextLength / trainedContext, trainedContext));
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

    /**
     * Llama 3.1's scaling (Hugging Face's {@code rope_type: "llama3"}). A pair whose wavelength 2 pi / f is
     * shorter than {@code trainedContext / highFreqFactor} keeps its frequency; one whose wavelength is longer than
     * {@code trainedContext / lowFreqFactor} has it divided by {@code factor}; in between the two blend, by how many
     * times the wavelength fits into the trained context.
     *
     * @param factor         the context extension s (8 in Llama 3.1, 32 in Llama 3.2)
     * @param lowFreqFactor  wavelengths above trainedContext / lowFreqFactor are divided by s (1)
     * @param highFreqFactor wavelengths below trainedContext / highFreqFactor are kept (4)
     * @param trainedContext the original training context (8192)
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int trainedContext)
            implements RopeScaling {
        /**
         * The number pair {@code pair} of {@code dims} rotated dimensions divides its frequency by (1 to s), for
         * base {@code theta}: what llama.cpp's converter writes into rope_freqs and ggml's RoPE divides by.
         */
        public double frequencyDivisor(int pair, int dims, double theta) {
            double wavelength = 2 * Math.PI * Math.pow(theta, 2.0 * pair / dims);
            if (wavelength < trainedContext / highFreqFactor) {
                return 1;
            }
            if (wavelength > trainedContext / lowFreqFactor) {
                return factor;
            }
            double smooth = (trainedContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return 1 / ((1 - smooth) / factor + smooth);
        }

        /** {@link #frequencyDivisor} of every pair, as the F32 values of rope_freqs. */
        public float[] frequencyDivisors(int dims, double theta) {
            float[] divisors = new float[dims / 2];
            for (int i = 0; i < divisors.length; i++) {
                divisors[i] = (float) frequencyDivisor(i, dims, theta);
            }
            return divisors;
        }

        @Override
        public String toString() {
            return "Llama 3 x" + factor + " from " + trainedContext
                    + (lowFreqFactor == 1 && highFreqFactor == 4 ? ""
                    : ", lowFreqFactor " + lowFreqFactor + ", highFreqFactor " + highFreqFactor);
        }
    }

    /**
     * LongRoPE (Ding et al. 2024; Hugging Face's {@code rope_type: "longrope"}, formerly "su"). Each rotated pair's
     * frequency is divided by a factor of its own, found by search rather than by a formula: {@code shortFactors} where
     * the model runs at most {@code trainedContext} positions, {@code longFactors} where it runs more. Which set
     * applies is decided once, by the context the model is loaded with ({@link #factorsFor}), as llama.cpp decides
     * by its context size; Hugging Face switches by the current sequence length instead. cos and sin are multiplied
     * by {@code attentionFactor} whichever set applies, so each logit grows by its square.
     *
     * @param shortFactors    per-pair divisors up to the trained context, one per rotated pair
     * @param longFactors     per-pair divisors beyond it
     * @param trainedContext  the original training context (4096 in Phi-3 and Phi-4-mini)
     * @param attentionFactor the multiplier of cos and sin ({@link #paperAttentionFactor})
     */
    record LongRope(List<Double> shortFactors, List<Double> longFactors, int trainedContext, double attentionFactor)
            implements RopeScaling {
        public LongRope {
            shortFactors = shortFactors == null ? null : Collections.unmodifiableList(new ArrayList<>(shortFactors));
            longFactors = longFactors == null ? null : Collections.unmodifiableList(new ArrayList<>(longFactors));
        }

        /** The paper's factor for a context extension s: sqrt(1 + ln(s) / ln(trainedContext)) above 1, else 1. */
        public static double paperAttentionFactor(double extension, int trainedContext) {
            return extension <= 1 ? 1 : Math.sqrt(1 + Math.log(extension) / Math.log(trainedContext));
        }

        /** Whether the attention factor is the paper's for a model that runs {@code contextLength} positions. */
        public boolean hasPaperAttentionFactor(int contextLength) {
            return attentionFactor == paperAttentionFactor((double) contextLength / trainedContext, trainedContext);
        }

        /** Whether a model running {@code contextLength} positions divides by the long factors. */
        public boolean usesLongFactors(int contextLength) {
            return contextLength > trainedContext;
        }

        /** The divisors of a model running {@code contextLength} positions: the long set beyond the trained context. */
        public List<Double> factorsFor(int contextLength) {
            return usesLongFactors(contextLength) ? longFactors : shortFactors;
        }

        /** {@link #factorsFor} as the F32 values ggml's RoPE divides each pair's frequency by. */
        public float[] divisorsFor(int contextLength) {
            return usesLongFactors(contextLength) ? longDivisors() : shortDivisors();
        }

        /** The short factors as F32, as ggml and a GGUF file hold them. */
        public float[] shortDivisors() {
            return floats(shortFactors);
        }

        /** The long factors as F32, as ggml and a GGUF file hold them. */
        public float[] longDivisors() {
            return floats(longFactors);
        }

        private static float[] floats(List<Double> factors) {
            float[] out = new float[factors.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = factors.get(i).floatValue();
            }
            return out;
        }

        @Override
        public String toString() {
            return "LongRoPE from " + trainedContext + " (short factors " + range(shortFactors) + ", long "
                    + range(longFactors) + ", attention x" + String.format(Locale.ROOT, "%.4f", attentionFactor) + ")";
        }

        private static String range(List<Double> factors) {
            if (factors == null || factors.isEmpty()) {
                return String.valueOf(factors);
            }
            double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
            for (Double f : factors) {
                if (f != null) {
                    low = Math.min(low, f);
                    high = Math.max(high, f);
                }
            }
            return String.format(Locale.ROOT, "%.3g to %.3g", low, high);
        }
    }
}
