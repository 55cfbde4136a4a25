package dev.llmgraph.reference;

import dev.llmgraph.spec.Ssm;

import java.util.Map;

/**
 * A selective state space layer (Mamba) in double precision, written from the Mamba paper (Gu and Dao 2023,
 * Algorithm 2 and section 3.4's block), not from any lowering: one token after another, one channel after another.
 * <pre>
 *  [u; z] = W_in x                                              u, z in R^E       (E = innerDim)
 *  u'_t = SiLU(b_conv + sum_{k=0}^{K-1} w[k] u_{t-K+1+k})       causal depthwise convolution, zeros before t = 0
 *  [dt_low; B_t; C_t] = W_x u'_t                                B_t, C_t in R^N   (N = stateDim)
 *  Jamba (dtBcNorm): dt_low, B_t, C_t = RMSNorm of each, times its own gain (Lieber et al. 2024, section 2: "RMSNorm
 *    to internal activations" of the Mamba layers; llama.cpp's jamba: ssm_dt_norm, ssm_b_norm, ssm_c_norm at the
 *    model's rms eps)
 *  Delta_t = softplus(W_dt dt_low + b_dt)                       one step per channel
 *  discretised (zero-order hold for A, Euler for B, as the paper's implementation):
 *    h_t[c, n] = exp(Delta_t[c] A[c, n]) h_{t-1}[c, n] + Delta_t[c] B_t[n] u'_t[c]
 *    y_t[c]    = sum_n C_t[n] h_t[c, n] + D[c] u'_t[c]
 *  out_t = W_out (y_t * SiLU(z_t))
 * </pre>
 * Weights are read in ggml's order with llama.cpp's {@code mamba} names (A is stored as A itself, negative).
 */
final class ReferenceSelectiveScan {
    private ReferenceSelectiveScan() {}

    static double[][] apply(Ssm m, double eps, ReferenceWeights w, int layer, double[][] x,
                            Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        int e = m.innerDim(), n = m.stateDim(), k = m.convWidth(), r = m.dtRank(), tokens = x.length;
        double[] inProj = w.get(b + "ssm_in.weight"), kernel = w.get(b + "ssm_conv1d.weight");
        double[] convBias = w.get(b + "ssm_conv1d.bias"), xProj = w.get(b + "ssm_x.weight");
        double[] dtProj = w.get(b + "ssm_dt.weight"), dtBias = w.get(b + "ssm_dt.bias");
        double[] a = w.get(b + "ssm_a"), skip = w.get(b + "ssm_d"), outProj = w.get(b + "ssm_out.weight");

        double[][] u = new double[tokens][], z = new double[tokens][];
        for (int t = 0; t < tokens; t++) {
            double[] uz = ReferenceWeights.matVec(inProj, x[t], null);
            u[t] = java.util.Arrays.copyOfRange(uz, 0, e);
            z[t] = java.util.Arrays.copyOfRange(uz, e, 2 * e);
        }
        double[][] h = new double[e][n];
        double[][] out = new double[tokens][];
        double[][] ys = new double[tokens][];
        double[][] convs = new double[tokens][];
        double[][] steps = new double[tokens][];
        for (int t = 0; t < tokens; t++) {
            double[] conv = new double[e];
            for (int c = 0; c < e; c++) {
                double sum = convBias[c];
                for (int j = 0; j < k; j++) {
                    int source = t - (k - 1) + j;
                    if (source >= 0) {
                        sum += kernel[c * k + j] * u[source][c];
                    }
                }
                conv[c] = silu(sum);
            }
            double[] dbc = ReferenceWeights.matVec(xProj, conv, null);
            if (m.dtBcNorm()) {
                normalise(dbc, 0, r, eps, w.get(b + "ssm_dt_norm.weight"));
                normalise(dbc, r, n, eps, w.get(b + "ssm_b_norm.weight"));
                normalise(dbc, r + n, n, eps, w.get(b + "ssm_c_norm.weight"));
            }
            double[] dtLow = java.util.Arrays.copyOfRange(dbc, 0, r);
            double[] delta = ReferenceWeights.matVec(dtProj, dtLow, dtBias);
            convs[t] = conv;
            steps[t] = delta;
            double[] y = new double[e];
            for (int c = 0; c < e; c++) {
                double step = softplus(delta[c]);
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    double bs = dbc[r + s], cs = dbc[r + n + s];
                    h[c][s] = Math.exp(step * a[c * n + s]) * h[c][s] + step * bs * conv[c];
                    sum += cs * h[c][s];
                }
                y[c] = sum + skip[c] * conv[c];
            }
            ys[t] = y.clone();
            for (int c = 0; c < e; c++) {
                y[c] *= silu(z[t][c]);
            }
            out[t] = ReferenceWeights.matVec(outProj, y, null);
        }
        nodes.put("ssm_conv." + layer, ReferenceForward.flatten(convs));
        nodes.put("ssm_dt." + layer, ReferenceForward.flatten(steps));
        nodes.put("ssm_y." + layer, ReferenceForward.flatten(ys));
        nodes.put("ssm_out." + layer, ReferenceForward.flatten(out));
        return out;
    }

    /** v[from .. from + width) = v / rms(v) * gain, in place. */
    private static void normalise(double[] v, int from, int width, double eps, double[] gain) {
        double squares = 0;
        for (int i = from; i < from + width; i++) {
            squares += v[i] * v[i];
        }
        double scale = 1 / Math.sqrt(squares / width + eps);
        for (int i = 0; i < width; i++) {
            v[from + i] *= scale * gain[i];
        }
    }

    private static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    /** log(1 + e^v), without overflow for large v. */
    private static double softplus(double v) {
        return v > 20 ? v : Math.log1p(Math.exp(v));
    }
}
