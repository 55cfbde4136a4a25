package dev.llmgraph.reference;

import dev.llmgraph.spec.Mamba2;

import java.util.Map;

/**
 * A Mamba-2 layer in double precision, written from the Mamba-2 paper (Dao and Gu 2024, section 7's block and the
 * SSD recurrence with a scalar decay per head), token after token, head after head; not from any lowering.
 * <pre>
 *  [z; xBC; dt] = W_in x                          z in R^E, xBC in R^(E + 2GN), dt in R^H
 *  xBC'_t = SiLU(b + causal depthwise conv of width K)         x_t [H][P] | B_t [G][N] | C_t [G][N]
 *  head h in group g = h / (H / G):  s = softplus(dt_t[h] + b_dt[h])
 *    S_t[h][p][n] = exp(s A[h]) S_{t-1}[h][p][n] + s B_t[g][n] x_t[h][p]
 *    y_t[h][p]    = sum_n C_t[g][n] S_t[h][p][n] + D[h] x_t[h][p]
 *  out_t = W_out GroupRMSNorm(y_t * SiLU(z_t))    RMS over each group's E / G values, times the gain
 * </pre>
 */
final class ReferenceMamba2 {
    private ReferenceMamba2() {}

    static double[][] apply(Mamba2 m, double eps, ReferenceWeights w, int layer, double[][] x,
                            Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        int e = m.innerDim(), n = m.stateDim(), k = m.convWidth(), heads = m.heads(), groups = m.groups();
        int p = m.headDim(), channels = (int) m.convChannels(), tokens = x.length;
        double[] inProj = w.get(b + "ssm_in.weight"), kernel = w.get(b + "ssm_conv1d.weight");
        double[] convBias = w.get(b + "ssm_conv1d.bias"), dtBias = w.get(b + "ssm_dt.bias");
        double[] a = w.get(b + "ssm_a"), skip = w.get(b + "ssm_d"), gain = w.get(b + "ssm_norm.weight");
        double[] outProj = w.get(b + "ssm_out.weight");

        double[][] projected = new double[tokens][];
        for (int t = 0; t < tokens; t++) {
            projected[t] = ReferenceWeights.matVec(inProj, x[t], null);
        }
        double[][][] state = new double[heads][p][n];
        double[][] out = new double[tokens][];
        double[][] ys = new double[tokens][];
        for (int t = 0; t < tokens; t++) {
            double[] xbc = new double[channels];
            for (int c = 0; c < channels; c++) {
                double sum = convBias[c];
                for (int j = 0; j < k; j++) {
                    int source = t - (k - 1) + j;
                    if (source >= 0) {
                        sum += kernel[c * k + j] * projected[source][e + c];
                    }
                }
                xbc[c] = silu(sum);
            }
            double[] y = new double[e];
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / groups);
                double step = softplus(projected[t][e + channels + h] + dtBias[h]);
                double decay = Math.exp(step * a[h]);
                for (int q = 0; q < p; q++) {
                    double input = xbc[h * p + q], sum = 0;
                    for (int s = 0; s < n; s++) {
                        double bs = xbc[e + g * n + s], cs = xbc[e + groups * n + g * n + s];
                        state[h][q][s] = decay * state[h][q][s] + step * bs * input;
                        sum += cs * state[h][q][s];
                    }
                    y[h * p + q] = sum + skip[h] * input;
                }
            }
            ys[t] = y.clone();
            double[] gated = new double[e];
            for (int c = 0; c < e; c++) {
                gated[c] = y[c] * silu(projected[t][c]);
            }
            int width = e / groups;
            for (int g = 0; g < groups; g++) {
                double squares = 0;
                for (int c = g * width; c < (g + 1) * width; c++) {
                    squares += gated[c] * gated[c];
                }
                double scale = 1 / Math.sqrt(squares / width + eps);
                for (int c = g * width; c < (g + 1) * width; c++) {
                    gated[c] *= scale * gain[c];
                }
            }
            out[t] = ReferenceWeights.matVec(outProj, gated, null);
        }
        nodes.put("ssm_y." + layer, ReferenceForward.flatten(ys));
        nodes.put("ssm_out." + layer, ReferenceForward.flatten(out));
        return out;
    }

    private static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    private static double softplus(double v) {
        return v > 20 ? v : Math.log1p(Math.exp(v));
    }
}
