package dev.llmgraph.reference;

import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;

import java.util.List;

/**
 * The positional schemes, written from their papers (and, where ggml fixes a detail the papers leave
 * open, from ggml's source, cited):
 * <pre>
 *  sinusoidal  PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(p / 10000^(2i/d))   (Vaswani et al. 2017, 3.5)
 *  RoPE        pair i of the n rotated dimensions turns by p * base^(-2i/n)               (Su et al. 2021)
 *  ALiBi       head h adds -m_h * |q - k|                                                  (Press et al. 2021)
 *  T5          head h adds a learned bias for the bucket of k - q                          (Raffel et al. 2020)
 * </pre>
 */
final class ReferencePositions {
    private ReferencePositions() {}

    static double sinusoidal(int position, int dim, int dModel) {
        int i = dim / 2;
        double angle = position / Math.pow(10_000, 2.0 * i / dModel);
        return dim % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
    }

    /** Rotates one head {@code x} (headDim values) in place for position {@code position}. */
    static void rope(double[] x, int position, Positional.Rope rope) {
        rope(x, position, rope, Integer.MAX_VALUE);
    }

    /**
     * As above, in a model that runs {@code contextLength} positions: LongRoPE takes its long factors beyond the
     * trained context, its short ones within it.
     */
    static void rope(double[] x, int position, Positional.Rope rope, int contextLength) {
        int rotated = (int) Math.floor(x.length * rope.fraction());
        rotated -= rotated % 2;
        double base = rope.theta();
        if (rope.scaling() instanceof RopeScaling.NtkAware ntk) {
            // bloc97's NTK-aware base: theta * s^(n / (n - 2)) keeps the highest frequency and stretches the lowest by s
            base = rope.theta() * Math.pow(ntk.factor(), rotated / (rotated - 2.0));
        }
        double[] corrDims = rope.scaling() instanceof RopeScaling.Yarn yarn ? yarnCorrDims(rotated, yarn, base) : null;
        for (int i = 0; i < rotated / 2; i++) {
            double extrapolated = position * Math.pow(base, -2.0 * i / rotated);
            double angle = extrapolated;
            double magnitude = 1;
            switch (rope.scaling()) {
                case RopeScaling.Linear linear -> angle = extrapolated / linear.factor();
                case RopeScaling.Yarn yarn -> {
                    // ggml ops.cpp rope_yarn() and rope_yarn_ramp(): pairs below corrDims[0] keep their angle
                    // (extrapolate), pairs above corrDims[1] are interpolated by 1/s, a linear ramp in between;
                    // cos and sin (so q and k, so the logits twice) are scaled by 1 + 0.1 ln s.
                    double ramp = 1 - Math.min(1, Math.max(0, (i - corrDims[0]) / Math.max(0.001, corrDims[1] - corrDims[0])));
                    double interpolated = extrapolated / yarn.factor();
                    angle = interpolated * (1 - ramp) + extrapolated * ramp;
                    magnitude = 1 + 0.1 * Math.log(yarn.factor());
                }
                case RopeScaling.Llama3 llama3 -> angle = position * llama3Frequency(Math.pow(base, -2.0 * i / rotated),
                        llama3);
                case RopeScaling.LongRope longRope -> {
                    // Hugging Face's _compute_longrope_parameters: inv_freq = 1 / (ext_factors * base^(2i/d)), the
                    // long factors where the sequence exceeds original_max_position_embeddings; cos and sin are
                    // multiplied by the attention factor
                    List<Double> factors = contextLength > longRope.trainedContext() ? longRope.longFactors()
                            : longRope.shortFactors();
                    angle = position / (factors.get(i) * Math.pow(base, 2.0 * i / rotated));
                    magnitude = longRope.attentionFactor();
                }
                case RopeScaling.NtkAware ntk -> { }
                case RopeScaling.None none -> { }
            }
            int a = rope.pairing() == RopePairing.ADJACENT ? 2 * i : i;
            int b = rope.pairing() == RopePairing.ADJACENT ? 2 * i + 1 : i + rotated / 2;
            double cos = Math.cos(angle) * magnitude, sin = Math.sin(angle) * magnitude;
            double xa = x[a], xb = x[b];
            x[a] = xa * cos - xb * sin;
            x[b] = xa * sin + xb * cos;
        }
    }

    /**
     * A frequency under Llama 3's scaling, as Hugging Face's {@code _compute_llama3_parameters} writes it: kept
     * where the wavelength is under trained / highFreqFactor, divided by the factor where it is over
     * trained / lowFreqFactor, and in between the mix (1 - smooth) f / factor + smooth f, with smooth =
     * (trained / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor).
     */
    static double llama3Frequency(double frequency, RopeScaling.Llama3 llama3) {
        double wavelength = 2 * Math.PI / frequency;
        double trained = llama3.trainedContext();
        if (wavelength > trained / llama3.lowFreqFactor()) {
            return frequency / llama3.factor();
        }
        if (wavelength < trained / llama3.highFreqFactor()) {
            return frequency;
        }
        double smooth = (trained / wavelength - llama3.lowFreqFactor())
                / (llama3.highFreqFactor() - llama3.lowFreqFactor());
        return (1 - smooth) * frequency / llama3.factor() + smooth * frequency;
    }

    /**
     * YaRN's blend range in pairs, as ggml.c ggml_rope_yarn_corr_dims() computes it: the pair that turns
     * {@code beta} times over the trained context is n ln(trained / (2 pi beta)) / (2 ln base); the range runs
     * from floor of that for betaFast to ceil of that for betaSlow, clamped to [0, n - 1].
     */
    static double[] yarnCorrDims(int rotated, RopeScaling.Yarn yarn, double base) {
        double start = Math.floor(yarnCorrDim(rotated, yarn.trainedContext(), yarn.betaFast(), base));
        double end = Math.ceil(yarnCorrDim(rotated, yarn.trainedContext(), yarn.betaSlow(), base));
        return new double[] {Math.max(0, start), Math.min(rotated - 1, end)};
    }

    private static double yarnCorrDim(int rotated, int trainedContext, double rotations, double base) {
        return rotated * Math.log(trainedContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * ALiBi's slope of head h, as ggml ops.cpp (soft_max, flash_attn_ext) computes it: with n the largest
     * power of two not above the head count, heads below n get 2^(-maxBias/n)^(h+1) (the paper's geometric
     * series), the rest interleave 2^(-maxBias/(2n))^(2(h-n)+1) (BLOOM's build_alibi_tensor).
     */
    static double alibiSlope(int head, int heads, double maxBias) {
        int n = 1;
        while (n * 2 <= heads) {
            n *= 2;
        }
        double m0 = Math.pow(2, -maxBias / n);
        double m1 = Math.pow(2, -maxBias / 2 / n);
        return head < n ? Math.pow(m0, head + 1) : Math.pow(m1, 2 * (head - n) + 1);
    }

    /**
     * T5's bucket for relative position {@code keyMinusQuery} (HF transformers T5Attention._relative_position_bucket):
     * half the buckets per direction when bidirectional; distances below half of those are exact, larger ones
     * fall in logarithmically spaced buckets up to maxDistance, beyond which they share the last bucket.
     */
    static int t5Bucket(int keyMinusQuery, boolean bidirectional, int buckets, int maxDistance) {
        int perSide = bidirectional ? buckets / 2 : buckets;
        int bucket = bidirectional && keyMinusQuery > 0 ? perSide : 0;
        int distance = bidirectional ? Math.abs(keyMinusQuery) : Math.max(0, -keyMinusQuery);
        int exact = perSide / 2;
        if (distance < exact) {
            return bucket + distance;
        }
        double logRatio = Math.log(distance / (double) exact) / Math.log(maxDistance / (double) exact);
        return bucket + Math.min(perSide - 1, exact + (int) (logRatio * (perSide - exact)));
    }
}
