package dev.llmgraph.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits.
 * <pre>
 *  greedy()                 argmax
 *  temperature(t)           softmax(logits / t): t &lt; 1 sharpens, t &gt; 1 flattens
 *  .withTopK(k)             keep the k best tokens only
 *  .withTopP(p)             keep the smallest set of best tokens whose probability reaches p (nucleus)
 *  .withSeed(s)             reproducible draws
 * </pre>
 * Edges: temperature 0 is greedy, and a temperature near 0 (1e-300) draws the argmax too; a negative, NaN or
 * infinite temperature, a negative top-k and a top-p outside (0, 1] are refused when the sampler is made.
 * Logits holding NaN or +Infinity, or only -Infinity, are refused when drawing, naming the first bad token
 * id: they come from a model that computed NaN (NaN or infinite weights, or activations that overflowed),
 * and a draw from them would be meaningless. -Infinity on some tokens is fine (they are never drawn).
 *
 * @param temperature 0 means greedy
 * @param topK        0 means no top-k cut
 * @param topP        1 means no nucleus cut
 * @param seed        seed of the random draws
 */
public record Sampler(double temperature, int topK, double topP, long seed) {
    public Sampler {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature = " + temperature + ": must be 0 (greedy) or positive");
        }
        if (temperature == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("temperature = Infinity: must be finite; it would make every token "
                    + "equally likely, which a large finite temperature (100) approaches");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK = " + topK + ": must be 0 (off) or positive");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP = " + topP + ": must be in (0, 1]");
        }
    }

    public static Sampler greedy() {
        return new Sampler(0, 0, 1, 0);
    }

    public static Sampler temperature(double temperature) {
        return new Sampler(temperature, 0, 1, 0);
    }

    public Sampler withTopK(int topK) {
        return new Sampler(temperature, topK, topP, seed);
    }

    public Sampler withTopP(double topP) {
        return new Sampler(temperature, topK, topP, seed);
    }

    public Sampler withSeed(long seed) {
        return new Sampler(temperature, topK, topP, seed);
    }

    /** A stream of draws with this sampler's seed. */
    public Draw start() {
        return new Draw(this, new SplittableRandom(seed));
    }

    /** Successive draws sharing one random generator. */
    public static final class Draw {
        private final Sampler sampler;
        private final SplittableRandom random;

        private Draw(Sampler sampler, SplittableRandom random) {
            this.sampler = sampler;
            this.random = random;
        }

        public int next(float[] logits) {
            return sampler.sample(logits, random);
        }
    }

    /** The probabilities this sampler draws from (zero outside the kept set). */
    public double[] probabilities(float[] logits) {
        requireFinite(logits);
        int[] order = topIndices(logits, logits.length);
        int keep = topK > 0 ? Math.min(topK, logits.length) : logits.length;
        double t = temperature == 0 ? 1 : temperature;
        double max = logits[order[0]];
        double[] weight = new double[keep];
        double sum = 0;
        for (int r = 0; r < keep; r++) {
            weight[r] = Math.exp((logits[order[r]] - max) / t);
            sum += weight[r];
        }
        // The nucleus: the shortest run of best tokens whose share of the mass reaches topP.
        int cut = keep;
        double cumulative = 0;
        for (int r = 0; r < keep; r++) {
            cumulative += weight[r] / sum;
            if (cumulative >= topP) {
                cut = r + 1;
                break;
            }
        }
        double kept = 0;
        for (int r = 0; r < cut; r++) {
            kept += weight[r];
        }
        double[] p = new double[logits.length];
        for (int r = 0; r < cut; r++) {
            p[order[r]] = weight[r] / kept;
        }
        return p;
    }

    int sample(float[] logits, SplittableRandom random) {
        if (temperature == 0) {
            requireFinite(logits);
            return argmax(logits);
        }
        double[] p = probabilities(logits);
        double u = random.nextDouble(), cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    /** Refuses logits a draw cannot be made from: NaN or +Infinity anywhere, or -Infinity everywhere. */
    static void requireFinite(float[] logits) {
        boolean anyAbove = false;
        for (int i = 0; i < logits.length; i++) {
            float x = logits[i];
            if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("the logits hold " + x + " at token id " + i + " (of "
                        + logits.length + "): the model computed " + x + ", from NaN or infinite weights or activations "
                        + "that overflowed; check the weights (model.weight(name)) or compute in F32");
            }
            anyAbove |= x != Float.NEGATIVE_INFINITY;
        }
        if (!anyAbove) {
            throw new IllegalArgumentException("all " + logits.length + " logits are -Infinity: no token can be drawn");
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Indices of the {@code k} largest values, largest first (ties: lower index first). */
    static int[] topIndices(float[] v, int k) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> v[x] != v[y] ? Float.compare(v[y], v[x]) : Integer.compare(x, y));
        int[] out = new int[Math.min(k, v.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return temperature == 0 ? "greedy" : "temperature " + temperature + (topK > 0 ? ", top-k " + topK : "")
                + (topP < 1 ? ", top-p " + topP : "") + ", seed " + seed;
    }
}
