package dev.llmgraph.ggml;

import static dev.llmgraph.ggml.Reference.index;

/**
 * Double-precision references for attention's ops: masked softmax with ALiBi, rotary position embedding
 * (with position interpolation, NTK-aware base changes, partial rotation and YaRN) and attention itself.
 * Arrays are in ggml order, {@code ne[0]} fastest.
 */
final class AttentionReference {
    private AttentionReference() {}

    /** A causal mask [keys, queries]: 0 where key j <= query i (the queries are the last ones), else -inf. */
    static double[] causalMask(int keys, int queries) {
        double[] mask = new double[keys * queries];
        int offset = keys - queries;
        for (int i = 0; i < queries; i++) {
            for (int j = 0; j < keys; j++) {
                mask[j + keys * i] = j <= i + offset ? 0 : Double.NEGATIVE_INFINITY;
            }
        }
        return mask;
    }

    /**
     * An ALiBi mask [keys, queries] (Press et al.; BLOOM): -(distance from query to key) where the key is
     * visible, -inf after the query. The op multiplies it by each head's slope.
     */
    static double[] alibiMask(int keys, int queries) {
        double[] mask = causalMask(keys, queries);
        int offset = keys - queries;
        for (int i = 0; i < queries; i++) {
            for (int j = 0; j <= i + offset; j++) {
                mask[j + keys * i] = -((i + offset) - j);
            }
        }
        return mask;
    }

    /**
     * ALiBi's slope for head h of nHead, as ggml defines it for any head count: with n = the largest power
     * of two <= nHead, m0 = 2^(-maxBias / n) and m1 = 2^(-maxBias / 2 / n), head h < n gets m0^(h+1) (the
     * paper's geometric sequence) and the heads beyond get the odd powers m1^(2(h-n)+1) in between.
     */
    static double alibiSlope(int h, int nHead, double maxBias) {
        if (maxBias <= 0) {
            return 1;
        }
        int n = Integer.highestOneBit(nHead);
        double m0 = Math.pow(2, -maxBias / n);
        double m1 = Math.pow(2, -maxBias / 2 / n);
        return h < n ? Math.pow(m0, h + 1) : Math.pow(m1, 2 * (h - n) + 1);
    }

    /**
     * soft_max_ext: softmax over each row of {@code x · scale + slope(head) · mask}. The mask [ne0, >= rows,
     * m2, m3] is broadcast over heads (dimension 2 of x) and dimension 3 by repetition; null means none.
     */
    static double[] softMax(double[] x, int[] ne, double[] mask, int[] maskNe, double scale, double maxBias) {
        double[] out = new double[x.length];
        double[] logits = new double[ne[0]];
        for (int i3 = 0; i3 < ne[3]; i3++) {
            for (int i2 = 0; i2 < ne[2]; i2++) {
                double slope = alibiSlope(i2, ne[2], maxBias);
                for (int i1 = 0; i1 < ne[1]; i1++) {
                    for (int i0 = 0; i0 < ne[0]; i0++) {
                        double m = mask == null ? 0 : mask[index(maskNe, i0, i1, i2 % maskNe[2], i3 % maskNe[3])];
                        logits[i0] = x[index(ne, i0, i1, i2, i3)] * scale + slope * m;
                    }
                    double[] p = softmax(logits);
                    for (int i0 = 0; i0 < ne[0]; i0++) {
                        out[index(ne, i0, i1, i2, i3)] = p[i0];
                    }
                }
            }
        }
        return out;
    }

    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < logits.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** RoPE's settings, as rope_ext takes them. */
    /** With {@code divisors} (null: none), pair i's frequency is divided by divisors[i] (Llama 3's rope_freqs). */
    record Rope(int dims, RopeMode mode, double freqBase, double freqScale, int contextOrig, Yarn yarn,
                float[] divisors) {
        Rope(int dims, RopeMode mode, double freqBase, double freqScale, int contextOrig, Yarn yarn) {
            this(dims, mode, freqBase, freqScale, contextOrig, yarn, null);
        }
    }

    /**
     * Rotary position embedding (Su et al., RoFormer) of x [headDim, heads, tokens] at {@code positions}.
     * Pair i (i < dims/2) turns by theta_i = p · base^(-2i/dims) · freqScale; NORMAL pairs dimensions
     * (2i, 2i+1), NEOX pairs (i, i + dims/2); dimensions from {@code dims} on pass through unchanged.
     *
     * <p>With YaRN (Peng et al. 2023; extFactor > 0) each pair blends the interpolated angle with the
     * original one, theta = interp · (1 - mix) + extrap · mix, mix = ramp(i) · extFactor, where ramp is 1
     * for the fast-turning pairs below dimension low, 0 above high and linear between; low and high are
     * the pairs that turn betaFast and betaSlow times over the training context (ggml rounds them down and
     * up to whole pairs). Cos and sin are then scaled by attnFactor · (1 + 0.1 ln(1 / freqScale)). With
     * divisors, theta_i is divided by divisors[i] before all of that.
     */
    static double[] rope(double[] x, int[] ne, int[] positions, Rope rope) {
        double[] out = x.clone();
        int dims = rope.dims();
        double[] corr = yarnCorrectionDims(rope);
        boolean yarnOn = rope.yarn().extFactor() != 0;
        double magnitude = rope.yarn().attnFactor() * (yarnOn ? 1 + 0.1 * Math.log(1 / rope.freqScale()) : 1);
        for (int t = 0; t < ne[2]; t++) {
            for (int h = 0; h < ne[1]; h++) {
                for (int i = 0; i < dims / 2; i++) {
                    double divisor = rope.divisors() == null ? 1 : rope.divisors()[i];
                    double extrapolated = positions[t] * Math.pow(rope.freqBase(), -2.0 * i / dims) / divisor;
                    double interpolated = rope.freqScale() * extrapolated;
                    double theta = interpolated;
                    if (yarnOn) {
                        double ramp = 1 - Math.min(1, Math.max(0, (i - corr[0]) / Math.max(0.001, corr[1] - corr[0])));
                        double mix = ramp * rope.yarn().extFactor();
                        theta = interpolated * (1 - mix) + extrapolated * mix;
                    }
                    int first = rope.mode() == RopeMode.NORMAL ? 2 * i : i;
                    int second = rope.mode() == RopeMode.NORMAL ? 2 * i + 1 : i + dims / 2;
                    int at0 = index(ne, first, h, t, 0), at1 = index(ne, second, h, t, 0);
                    double cos = Math.cos(theta) * magnitude, sin = Math.sin(theta) * magnitude;
                    out[at0] = x[at0] * cos - x[at1] * sin;
                    out[at1] = x[at0] * sin + x[at1] * cos;
                }
            }
        }
        return out;
    }

    /**
     * YaRN's [low, high] pair range: the pair that turns n times over the training context L is
     * dims · ln(L / (2π n)) / (2 ln base); low uses n = betaFast rounded down (at least 0), high uses
     * n = betaSlow rounded up (at most dims - 1).
     */
    static double[] yarnCorrectionDims(Rope rope) {
        double low = Math.floor(pairTurning(rope, rope.yarn().betaFast()));
        double high = Math.ceil(pairTurning(rope, rope.yarn().betaSlow()));
        return new double[] {Math.max(0, low), Math.min(rope.dims() - 1, high)};
    }

    static double pairTurning(Rope rope, double turns) {
        return rope.dims() * Math.log(rope.contextOrig() / (turns * 2 * Math.PI)) / (2 * Math.log(rope.freqBase()));
    }

    /**
     * Attention softmax(q·kᵀ · scale + slope · mask) · v per head, with optional soft-capping of the
     * scaled logits (cap · tanh(logit / cap), Gemma 2). q [d, queries, heads], k [d, keys, kvHeads],
     * v [dv, keys, kvHeads], mask [keys, >= queries, 1 or heads] or null; query head h reads key head
     * h / (heads / kvHeads). Result in flash attention's layout [dv, heads, queries].
     */
    static double[] attention(double[] q, int[] qNe, double[] k, int[] kNe, double[] v, int[] vNe,
                              double[] mask, int[] maskNe, double scale, double maxBias, double softcap) {
        int d = qNe[0], queries = qNe[1], heads = qNe[2], keys = kNe[1], dv = vNe[0];
        int group = heads / kNe[2];
        double[] out = new double[dv * heads * queries];
        double[] logits = new double[keys];
        for (int h = 0; h < heads; h++) {
            double slope = alibiSlope(h, heads, maxBias);
            int kvHead = h / group;
            for (int i = 0; i < queries; i++) {
                for (int j = 0; j < keys; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += q[index(qNe, c, i, h, 0)] * k[index(kNe, c, j, kvHead, 0)];
                    }
                    double logit = dot * scale;
                    if (softcap != 0) {
                        logit = softcap * Math.tanh(logit / softcap);
                    }
                    double m = mask == null ? 0 : mask[index(maskNe, j, i, h % maskNe[2], 0)];
                    logits[j] = logit + slope * m;
                }
                double[] p = softmax(logits);
                for (int c = 0; c < dv; c++) {
                    double sum = 0;
                    for (int j = 0; j < keys; j++) {
                        sum += p[j] * v[index(vNe, c, j, kvHead, 0)];
                    }
                    out[c + dv * (h + heads * i)] = sum;
                }
            }
        }
        return out;
    }
}
