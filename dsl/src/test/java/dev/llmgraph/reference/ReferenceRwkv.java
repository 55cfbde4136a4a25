package dev.llmgraph.reference;

import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.RwkvChannelMix;

import java.util.Map;

/**
 * RWKV's time mixing and channel mixing in double precision, one token after another and one head after another,
 * written from the papers (RWKV-6: Peng et al. 2024, "Eagle and Finch", section 4; RWKV-7: Peng et al. 2025, "Goose",
 * section 4) with llama.cpp's choices where the papers leave one open (the group norm's eps 64e-5, the order of the
 * fused lerps, L2 norm eps 1e-12). The token shift of token 0 reads zeros: a fresh sequence.
 * <pre>
 *  RWKV-6  x_* = x + (mu_* + W2_* tanh(W1 (x + mu_x (x' - x)))) (x' - x)       * in w, k, v, r, g;  x' the previous
 *          w = exp(-exp(d + D2 tanh(D1 x_w)));  r, k, v = W x_*;  g = SiLU(W_g x_g)
 *          per head:  y_j = sum_i r_i (u_i k_i v_j + S_ij);   S_ij = w_i S_ij + k_i v_j
 *          out = W_o (GroupNorm(y) * g)
 *  RWKV-7  x_* = x + mu_* (x' - x)                          * in r, w, k, v, a, g
 *          w = exp(-e^-1/2 sigmoid(w0 + W2 tanh(W1 x_w)));  a = sigmoid(a0 + A2 A1 x_a);  g = G2 sigmoid(G1 x_g)
 *          v = W_v x_v, then after layer 0  v + (v_0 - v) sigmoid(v0 + V2 V1 x_v)
 *          kappa = normalize(k k_k) per head;  k = k (1 + (a - 1) k_a)
 *          per head:  S = S (diag(w) - kappa^T (a kappa)) + v^T k;   y = S r
 *          out = W_o ((GroupNorm(y) + v sum(r k r_k)) * g)
 *  channel k = ReLU(W_k (x + mu_k (x' - x)))^2;  out = W_v k, times sigmoid(W_r (x + mu_r (x' - x))) in RWKV-6
 * </pre>
 */
final class ReferenceRwkv {
    private static final double GROUP_NORM_EPS = 64e-5;

    private final ReferenceWeights w;
    /** RWKV-7: layer 0's values per token, which later layers mix back in. */
    private double[][] firstValues;

    ReferenceRwkv(ReferenceWeights w) {
        this.w = w;
    }

    double[][] rwkv6(Rwkv6 m, int layer, double[][] x, Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        int d = x[0].length, s = m.headSize(), heads = d / s, rank = m.mixRank();
        double[] lerpX = w.get(b + "time_mix_lerp_x.weight"), fused = w.get(b + "time_mix_lerp_fused.weight");
        double[] w1 = w.get(b + "time_mix_w1.weight"), w2 = w.get(b + "time_mix_w2.weight");
        double[] first = w.get(b + "time_mix_first.weight"), decayBase = w.get(b + "time_mix_decay.weight");
        double[][] state = new double[heads][s * s];
        double[][] out = new double[x.length][];
        double[][] decays = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double[] shift = shift(x, t);
            double[] hidden = ReferenceWeights.matVec(w1, lerp(x[t], shift, lerpX, 0), null);
            for (int i = 0; i < hidden.length; i++) {
                hidden[i] = Math.tanh(hidden[i]);
            }
            double[][] mixed = new double[5][d];
            for (int j = 0; j < 5; j++) {
                for (int c = 0; c < d; c++) {
                    double mu = fused[j * d + c];
                    for (int r = 0; r < rank; r++) {
                        mu += w2[(j * d + c) * rank + r] * hidden[j * rank + r];
                    }
                    mixed[j][c] = x[t][c] + mu * (shift[c] - x[t][c]);
                }
            }
            double[] k = w.linear(b + "time_mix_key", mixed[1]), v = w.linear(b + "time_mix_value", mixed[2]);
            double[] r = w.linear(b + "time_mix_receptance", mixed[3]);
            double[] g = w.linear(b + "time_mix_gate", mixed[4]);
            double[] decay = ReferenceWeights.matVec(w.get(b + "time_mix_decay_w2.weight"),
                    tanh(ReferenceWeights.matVec(w.get(b + "time_mix_decay_w1.weight"), mixed[0], null)), decayBase);
            for (int c = 0; c < d; c++) {
                decay[c] = Math.exp(-Math.exp(decay[c]));
                g[c] = g[c] / (1 + Math.exp(-g[c]));
            }
            decays[t] = decay;
            double[] y = new double[d];
            for (int h = 0; h < heads; h++) {
                double[] st = state[h];
                for (int i = 0; i < s; i++) {
                    int ci = h * s + i;
                    for (int j = 0; j < s; j++) {
                        double kv = k[ci] * v[h * s + j];
                        y[h * s + j] += r[ci] * (first[ci] * kv + st[i * s + j]);
                        st[i * s + j] = decay[ci] * st[i * s + j] + kv;
                    }
                }
            }
            out[t] = w.linear(b + "time_mix_output", multiply(groupNorm(b, y, s), g));
        }
        nodes.put("time_mix_decay." + layer, ReferenceForward.flatten(decays));
        return out;
    }

    double[][] rwkv7(Rwkv7 m, int layer, double[][] x, Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        int d = x[0].length, s = m.headSize(), heads = d / s;
        double[] fused = w.get(b + "time_mix_lerp_fused.weight"), kK = w.get(b + "time_mix_k_k.weight");
        double[] kA = w.get(b + "time_mix_k_a.weight"), rK = w.get(b + "time_mix_r_k.weight");
        if (layer == 0) {
            firstValues = new double[x.length][];
        }
        double[][] state = new double[heads][s * s];
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double[] shift = shift(x, t);
            double[][] in = new double[6][];
            for (int j = 0; j < 6; j++) {
                in[j] = lerp(x[t], shift, fused, j * d);
            }
            double[] r = w.linear(b + "time_mix_receptance", in[0]);
            double[] decay = lora(b, "w", in[1], true);
            double[] k = w.linear(b + "time_mix_key", in[2]);
            double[] v = w.linear(b + "time_mix_value", in[3]);
            double[] a = sigmoid(lora(b, "a", in[4], false));
            double[] g = ReferenceWeights.matVec(w.get(b + "time_mix_g2.weight"),
                    sigmoid(ReferenceWeights.matVec(w.get(b + "time_mix_g1.weight"), in[5], null)), null);
            if (layer == 0) {
                firstValues[t] = v;
            } else {
                double[] mix = sigmoid(lora(b, "v", in[3], false));
                for (int c = 0; c < d; c++) {
                    v[c] += (firstValues[t][c] - v[c]) * mix[c];
                }
            }
            double[] kappa = new double[d];
            for (int c = 0; c < d; c++) {
                decay[c] = Math.exp(-Math.exp(-0.5) / (1 + Math.exp(-decay[c])));
                kappa[c] = k[c] * kK[c];
                k[c] = k[c] * (1 + (a[c] - 1) * kA[c]);
            }
            double[] y = new double[d], bonus = new double[d];
            for (int h = 0; h < heads; h++) {
                double norm = 0, rk = 0;
                for (int j = 0; j < s; j++) {
                    norm += kappa[h * s + j] * kappa[h * s + j];
                    rk += r[h * s + j] * k[h * s + j] * rK[h * s + j];
                }
                norm = Math.max(Math.sqrt(norm), 1e-12);
                double[] st = state[h];
                for (int i = 0; i < s; i++) {
                    double removed = 0; // S kappa^T: what the state holds along the normalised key
                    for (int j = 0; j < s; j++) {
                        removed += st[i * s + j] * kappa[h * s + j] / norm;
                    }
                    for (int j = 0; j < s; j++) {
                        int cj = h * s + j;
                        st[i * s + j] = st[i * s + j] * decay[cj] - removed * kappa[cj] / norm * a[cj]
                                + v[h * s + i] * k[cj];
                        y[h * s + i] += st[i * s + j] * r[cj];
                    }
                    bonus[h * s + i] = v[h * s + i] * rk;
                }
            }
            double[] normed = groupNorm(b, y, s);
            for (int c = 0; c < d; c++) {
                normed[c] += bonus[c];
            }
            out[t] = w.linear(b + "time_mix_output", multiply(normed, g));
        }
        return out;
    }

    /** The channel mixing of every token of {@code x} (the block's second norm's output). */
    double[][] channelMix(RwkvChannelMix m, int layer, double[][] x) {
        String b = "blk." + layer + ".";
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double[] shift = shift(x, t);
            double[] k = w.linear(b + "channel_mix_key", lerp(x[t], shift, w.get(b + "channel_mix_lerp_k.weight"), 0));
            for (int i = 0; i < k.length; i++) {
                k[i] = Math.max(k[i], 0) * Math.max(k[i], 0);
            }
            out[t] = w.linear(b + "channel_mix_value", k);
            if (m.receptance()) {
                double[] r = sigmoid(w.linear(b + "channel_mix_receptance",
                        lerp(x[t], shift, w.get(b + "channel_mix_lerp_r.weight"), 0)));
                out[t] = multiply(out[t], r);
            }
        }
        return out;
    }

    /** x0 + X2 f(X1 in), f = tanh for the decay's LoRA and the identity for a's and v's. */
    private double[] lora(String b, String name, double[] in, boolean tanh) {
        double[] hidden = ReferenceWeights.matVec(w.get(b + "time_mix_" + name + "1.weight"), in, null);
        return ReferenceWeights.matVec(w.get(b + "time_mix_" + name + "2.weight"), tanh ? tanh(hidden) : hidden,
                w.get(b + "time_mix_" + name + "0.weight"));
    }

    /** LayerNorm over each head's s values, then the gain and bias time_mix_ln. */
    private double[] groupNorm(String b, double[] y, int s) {
        double[] gain = w.get(b + "time_mix_ln.weight"), bias = w.get(b + "time_mix_ln.bias");
        double[] out = new double[y.length];
        for (int h = 0; h < y.length / s; h++) {
            double[] head = ReferenceNorms.layerNorm(java.util.Arrays.copyOfRange(y, h * s, h * s + s),
                    GROUP_NORM_EPS);
            for (int i = 0; i < s; i++) {
                out[h * s + i] = head[i] * gain[h * s + i] + bias[h * s + i];
            }
        }
        return out;
    }

    /** The previous token's input, zeros before the first. */
    private static double[] shift(double[][] x, int t) {
        return t == 0 ? new double[x[0].length] : x[t - 1];
    }

    /** x + mu (x' - x), mu read from {@code mus} at {@code offset}. */
    private static double[] lerp(double[] x, double[] previous, double[] mus, int offset) {
        double[] out = new double[x.length];
        for (int c = 0; c < x.length; c++) {
            out[c] = x[c] + mus[offset + c] * (previous[c] - x[c]);
        }
        return out;
    }

    private static double[] tanh(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.tanh(x[i]);
        }
        return out;
    }

    private static double[] sigmoid(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = 1 / (1 + Math.exp(-x[i]));
        }
        return out;
    }

    private static double[] multiply(double[] x, double[] y) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * y[i];
        }
        return out;
    }
}
