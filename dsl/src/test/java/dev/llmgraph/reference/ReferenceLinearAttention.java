package dev.llmgraph.reference;

import dev.llmgraph.spec.DecaySchedule;
import dev.llmgraph.spec.FeatureMap;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.LinearDecay;

import java.util.Map;

/**
 * Linear attention with a decay in double precision, written from its definition (Katharopoulos et al. 2020; RetNet;
 * TransNormerLLM; GLA), token by token, never from the plan or the lowering. Per head h, with d_h channels per head:
 * <pre>
 *  q_t, k_t = phi(W_q x_t), phi(W_k x_t);  v_t = W_v x_t
 *  S_t = diag(g_t) S_{t-1} + k_t v_t^T     (S_0 = 0; g_t = 1, the schedule's rate, or sigmoid(gate)^(1/tau))
 *  o_t = d_h^-1/2 q_t^T S_t
 *  y_t = SRMSNorm(o_t) * SiLU(W_u x_t)      (each where the spec asks for it)
 *  out = W_o y_t
 * </pre>
 * The fixed schedules are computed here again from their papers' formulas, not through the spec's own method.
 */
final class ReferenceLinearAttention {
    private ReferenceLinearAttention() {}

    static double[][] apply(LinearAttention m, int layers, ReferenceWeights w, int layer, double[][] x,
                            Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        int d = x[0].length, heads = m.heads(), hd = d / heads;
        double[][][] state = new double[heads][hd][hd]; // [head][key channel][value channel]
        double[][] out = new double[x.length][];
        double[][] reads = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double[] q = phi(m.featureMap(), w.linear(b + "attn_q", x[t]));
            double[] k = phi(m.featureMap(), w.linear(b + "attn_k", x[t]));
            double[] v = w.linear(b + "attn_v", x[t]);
            double[] g = gates(m, layers, w, b, layer, x[t], d);
            double[] o = new double[d];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < hd; i++) {
                    int key = h * hd + i;
                    for (int j = 0; j < hd; j++) {
                        state[h][i][j] = g[key] * state[h][i][j] + k[key] * v[h * hd + j];
                        o[h * hd + j] += q[key] * state[h][i][j] / Math.sqrt(hd);
                    }
                }
            }
            reads[t] = o.clone();
            double[] y = o;
            if (m.outputNorm()) {
                y = ReferenceNorms.rmsNorm(y, LinearAttention.OUTPUT_NORM_EPS);
            }
            if (m.outputGate()) {
                double[] u = w.linear(b + "attn_gate", x[t]);
                for (int c = 0; c < d; c++) {
                    y[c] *= u[c] / (1 + Math.exp(-u[c]));
                }
            }
            out[t] = w.linear(b + "attn_output", y);
        }
        nodes.put("linear_attn." + layer, ReferenceForward.flatten(reads));
        nodes.put("attn_out." + layer, ReferenceForward.flatten(out));
        return out;
    }

    private static double[] phi(FeatureMap map, double[] x) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = switch (map) {
                case IDENTITY -> y[i];
                case ELU_PLUS_ONE -> y[i] > 0 ? y[i] + 1 : Math.exp(y[i]);
                case SILU -> y[i] / (1 + Math.exp(-y[i])); // swish: x sigmoid(x)
            };
        }
        return y;
    }

    /** g_t for every key channel. */
    private static double[] gates(LinearAttention m, int layers, ReferenceWeights w, String b, int layer, double[] x,
                                  int d) {
        double[] g = new double[d];
        int heads = m.heads(), hd = d / heads;
        switch (m.decay()) {
            case LinearDecay.None _ -> java.util.Arrays.fill(g, 1);
            case LinearDecay.Fixed f -> {
                for (int c = 0; c < d; c++) {
                    g[c] = rate(f.schedule(), c / hd, heads, layer, layers);
                }
            }
            case LinearDecay.Gated gated -> {
                double[] z = w.linear(b + "attn_gk2", ReferenceWeights.matVec(w.get(b + "attn_gk1.weight"), x, null));
                for (int c = 0; c < d; c++) {
                    g[c] = Math.pow(1 / (1 + Math.exp(-z[c])), 1 / gated.temperature());
                }
            }
        }
        return g;
    }

    private static double rate(DecaySchedule schedule, int h, int heads, int layer, int layers) {
        return switch (schedule) {
            case DecaySchedule.RetNet _ -> 1 - 1 / Math.pow(2, 5 + h);
            case DecaySchedule.TransNormer _ -> Math.exp(-Math.pow(0.5, 8.0 * (h + 1) / heads)
                    * (layers > 1 ? 1 - layer / (layers - 1.0) + 1e-5 : 1));
            case DecaySchedule.PerHead p -> p.rates().get(h);
        };
    }
}
