package dev.llmgraph.reference;

import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;

import java.util.Arrays;
import java.util.Map;

/**
 * Multi-head latent attention as the DeepSeek-V2 paper writes it (section 2.1), in double precision and in its
 * plain, decompressed form: every head's key and value are rebuilt from the latent, then ordinary causal softmax
 * attention runs per head. The lowering never builds these keys and values (it absorbs W_UK into the query and
 * applies W_UV after the weighted sum), so agreement checks the absorption too.
 * <pre>
 *  c_KV = RMSNorm(W_DKV x) * g          k_R = RoPE(W_KR x)          (W_DKV | W_KR is attn_kv_a_mqa)
 *  q = W_Q x, or W_UQ (RMSNorm(W_DQ x) * g')        per head: q_C (nope dims) | q_R = RoPE(rope dims)
 *  k_h = [W_UK,h c_KV | k_R]     v_h = W_UV,h c_KV
 *  o_h(t) = sum_s softmax_s(q_h(t) . k_h(s) * scale) v_h(s),   s <= t
 *  scale = 1/sqrt(nope + rope) x (0.1 mscale ln s + 1)^2 under YaRN by s; RoPE keeps its magnitude there
 * </pre>
 * Weights in ggml order: {@code attn_k_b} [nope, kvRank, heads], {@code attn_v_b} [kvRank, value, heads].
 */
final class ReferenceLatentAttention {
    private ReferenceLatentAttention() {}

    /** MLA of block {@code layer} over {@code x} [T][dModel]; records {@code kv_latent.L} [T][kvRank]. */
    static double[][] apply(ModelSpec spec, LatentAttention l, ReferenceWeights w, int layer, double[][] x,
                            Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        int tokens = x.length, heads = l.heads(), nope = l.nopeHeadDim(), rope = l.ropeHeadDim();
        int rank = l.kvRank(), value = l.valueHeadDim(), qk = nope + rope;
        double eps = spec.norm().eps();
        Positional.Rope positions = (Positional.Rope) spec.positional();
        double[][][] keys = new double[heads][tokens][];
        double[][][] values = new double[heads][tokens][];
        double[][][] queries = new double[heads][tokens][];
        double[] kb = w.get(b + "attn_k_b.weight"), vb = w.get(b + "attn_v_b.weight");
        double[] latents = new double[tokens * rank];
        for (int t = 0; t < tokens; t++) {
            double[] compressed = w.linear(b + "attn_kv_a_mqa", x[t]);
            double[] latent = gained(ReferenceNorms.rmsNorm(Arrays.copyOf(compressed, rank), eps),
                    w.get(b + "attn_kv_a_norm.weight"));
            System.arraycopy(latent, 0, latents, t * rank, rank);
            double[] keyRope = rotated(Arrays.copyOfRange(compressed, rank, rank + rope), t, positions);
            double[] q = l.queryRank() == 0 ? w.linear(b + "attn_q", x[t])
                    : w.linear(b + "attn_q_b", gained(ReferenceNorms.rmsNorm(w.linear(b + "attn_q_a", x[t]), eps),
                            w.get(b + "attn_q_a_norm.weight")));
            for (int h = 0; h < heads; h++) {
                double[] qh = Arrays.copyOfRange(q, h * qk, (h + 1) * qk);
                double[] qRope = rotated(Arrays.copyOfRange(qh, nope, qk), t, positions);
                System.arraycopy(qRope, 0, qh, nope, rope);
                queries[h][t] = qh;
                double[] kh = new double[qk];
                for (int n = 0; n < nope; n++) {
                    for (int c = 0; c < rank; c++) {
                        kh[n] += kb[n + nope * (c + rank * h)] * latent[c];
                    }
                }
                System.arraycopy(keyRope, 0, kh, nope, rope);
                keys[h][t] = kh;
                double[] vh = new double[value];
                for (int j = 0; j < value; j++) {
                    for (int c = 0; c < rank; c++) {
                        vh[j] += vb[c + rank * (j + value * h)] * latent[c];
                    }
                }
                values[h][t] = vh;
            }
        }
        nodes.put("kv_latent." + layer, latents);
        double scale = 1 / Math.sqrt(qk) * temperature(positions, l.yarnMscale());
        double[][] merged = new double[tokens][heads * value];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < tokens; t++) {
                double[] logits = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int i = 0; i < qk; i++) {
                        dot += queries[h][t][i] * keys[h][s][i];
                    }
                    logits[s] = dot * scale;
                    max = Math.max(max, logits[s]);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    logits[s] = Math.exp(logits[s] - max);
                    sum += logits[s];
                }
                for (int s = 0; s <= t; s++) {
                    for (int j = 0; j < value; j++) {
                        merged[t][h * value + j] += logits[s] / sum * values[h][s][j];
                    }
                }
            }
        }
        double[][] out = new double[tokens][];
        for (int t = 0; t < tokens; t++) {
            out[t] = w.linear(b + "attn_output", merged[t]);
        }
        return out;
    }

    /** DeepSeek's (0.1 mscale ln s + 1)^2 under YaRN by s > 1; 1 otherwise. */
    private static double temperature(Positional.Rope rope, double mscale) {
        if (rope.scaling() instanceof RopeScaling.Yarn yarn && yarn.factor() > 1) {
            double m = 0.1 * mscale * Math.log(yarn.factor()) + 1;
            return m * m;
        }
        return 1;
    }

    /** RoPE on all of {@code x} at {@code position}, at unit magnitude (DeepSeek leaves YaRN's factor out). */
    private static double[] rotated(double[] x, int position, Positional.Rope rope) {
        ReferencePositions.rope(x, position, rope.withFraction(1.0));
        if (rope.scaling() instanceof RopeScaling.Yarn yarn) {
            double magnitude = 1 + 0.1 * Math.log(yarn.factor());
            for (int i = 0; i < x.length; i++) {
                x[i] /= magnitude;
            }
        }
        return x;
    }

    private static double[] gained(double[] x, double[] gain) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * gain[i];
        }
        return out;
    }
}
