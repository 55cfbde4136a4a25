package dev.llmgraph.reference;

import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;

import java.util.Arrays;
import java.util.Map;

/**
 * Self-attention of one block over a whole sequence (positions 0 .. T-1, no cache), from the definitions:
 * <pre>
 *  q_h = W_q x (head h), k_g, v_g = W_k x, W_v x (K/V head g = h / (heads / kvHeads): GQA and MQA share)
 *  QK-norm   per head: q_h, k_g = RMSNorm over the head (weights attn_q_norm / attn_k_norm, the spec's eps);
 *            whole width: q, k = RMSNorm over all heads x headDim values, then split into heads; before RoPE
 *  logit     s = scale * q_h . k_g;  s = c * tanh(s / c) when soft-capped;  + ALiBi or T5 bias
 *  mask      causal k <= q; prefix decoder also k &lt; P; encoder every k; a sliding layer also |q - k| &lt; W
 *  output    W_o concat_h(softmax(s) v_g) (+ b_o)
 * </pre>
 */
final class ReferenceAttention {
    private ReferenceAttention() {}

    /**
     * Attention of block {@code layer} over {@code x} [T][dModel]; records {@code q.L}, {@code k.L}, {@code v.L}
     * ([heads][T][headDim]), {@code kq.L} (raw q.k, [heads][T][T]) and {@code kq_softmax.L} in {@code nodes}.
     */
    static double[][] apply(ModelSpec spec, ReferenceWeights w, int layer, double[][] x, int prefixLength,
                            Map<String, double[]> nodes) {
        return apply(spec, w, layer, x, (q, k) -> visible(spec, layer, q, k, prefixLength), nodes);
    }

    /** Which keys a query sees, for a mask given by the caller (UniLM's masks, chosen per call). */
    @FunctionalInterface
    interface KeyMask {
        boolean sees(int query, int key);
    }

    /** As {@link #apply(ModelSpec, ReferenceWeights, int, double[][], int, Map)} with an arbitrary {@code mask}. */
    static double[][] apply(ModelSpec spec, ReferenceWeights w, int layer, double[][] x, KeyMask mask,
                            Map<String, double[]> nodes) {
        Attention a = spec.attention();
        String b = "blk." + layer + ".";
        int tokens = x.length, heads = a.heads(), kvHeads = a.kvHeads();
        int headDim = a.headDim() > 0 ? a.headDim() : spec.dModel() / heads;
        double[][][] q = new double[heads][tokens][];
        double[][][] k = new double[kvHeads][tokens][];
        double[][][] v = new double[kvHeads][tokens][];
        for (int t = 0; t < tokens; t++) {
            double[] qAll = wholeWidthNorm(w.linear(b + "attn_q", x[t]), spec, w, b + "attn_q_norm");
            double[] kAll = wholeWidthNorm(w.linear(b + "attn_k", x[t]), spec, w, b + "attn_k_norm");
            double[] vAll = w.linear(b + "attn_v", x[t]);
            for (int h = 0; h < heads; h++) {
                q[h][t] = headOf(qAll, h, headDim, spec, w, b + "attn_q_norm", layer, t);
            }
            for (int g = 0; g < kvHeads; g++) {
                k[g][t] = headOf(kAll, g, headDim, spec, w, b + "attn_k_norm", layer, t);
                v[g][t] = Arrays.copyOfRange(vAll, g * headDim, (g + 1) * headDim);
            }
        }
        nodes.put("q." + layer, flatten(q));
        nodes.put("k." + layer, flatten(k));
        nodes.put("v." + layer, flatten(v));

        double scale = a.softmaxScale() > 0 ? a.softmaxScale() : 1 / Math.sqrt(headDim);
        double[] rawLogits = new double[heads * tokens * tokens];
        double[] weights = new double[heads * tokens * tokens];
        double[][] merged = new double[tokens][heads * headDim];
        for (int h = 0; h < heads; h++) {
            int g = h / (heads / kvHeads);
            for (int t = 0; t < tokens; t++) {
                double[] logits = new double[tokens];
                double max = Double.NEGATIVE_INFINITY;
                for (int key = 0; key < tokens; key++) {
                    double dot = dot(q[h][t], k[g][key]);
                    rawLogits[(h * tokens + t) * tokens + key] = dot;
                    if (!mask.sees(t, key)) {
                        logits[key] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double s = scale * dot;
                    if (a.logitSoftcap() > 0) {
                        s = a.logitSoftcap() * Math.tanh(s / a.logitSoftcap());
                    }
                    logits[key] = s + positionBias(spec, w, h, t, key);
                    max = Math.max(max, logits[key]);
                }
                double sum = 0;
                for (int key = 0; key < tokens; key++) {
                    logits[key] = Math.exp(logits[key] - max);
                    sum += logits[key];
                }
                for (int key = 0; key < tokens; key++) {
                    double p = logits[key] / sum;
                    weights[(h * tokens + t) * tokens + key] = p;
                    for (int i = 0; i < headDim; i++) {
                        merged[t][h * headDim + i] += p * v[g][key][i];
                    }
                }
            }
        }
        nodes.put("kq." + layer, rawLogits);
        nodes.put("kq_softmax." + layer, weights);
        double[][] out = new double[tokens][];
        for (int t = 0; t < tokens; t++) {
            out[t] = w.linear(b + "attn_output", merged[t]);
        }
        return out;
    }

    /** A whole q or k projection RMS-normalised with its gain when the spec's QK-norm spans it (OLMoE). */
    private static double[] wholeWidthNorm(double[] all, ModelSpec spec, ReferenceWeights w, String normWeight) {
        if (spec.attention().qkNorm() != QkNorm.WHOLE_WIDTH) {
            return all;
        }
        double[] normed = ReferenceNorms.rmsNorm(all, spec.norm().eps());
        double[] gain = w.get(normWeight + ".weight");
        for (int i = 0; i < all.length; i++) {
            normed[i] *= gain[i];
        }
        return normed;
    }

    /**
     * Head {@code h} of a projection, QK-normed and rotated as the spec says: in a layer that slides, with the
     * sliding layers' own base and no scaling where the spec gives one (Gemma 3).
     */
    private static double[] headOf(double[] all, int h, int headDim, ModelSpec spec, ReferenceWeights w,
                                   String normWeight, int layer, int position) {
        double[] head = Arrays.copyOfRange(all, h * headDim, (h + 1) * headDim);
        if (spec.attention().qkNorm() == QkNorm.PER_HEAD) {
            double[] normed = ReferenceNorms.rmsNorm(head, spec.norm().eps());
            double[] gain = w.get(normWeight + ".weight");
            for (int i = 0; i < headDim; i++) {
                head[i] = normed[i] * gain[i];
            }
        }
        switch (spec.positional()) {
            case Positional.Rope rope when rope.slidingTheta() != 0 && slides(spec, layer) -> ReferencePositions.rope(head,
                    position, new Positional.Rope(rope.slidingTheta(), rope.fraction(), rope.pairing(),
                            RopeScaling.none()));
            case Positional.Rope rope -> ReferencePositions.rope(head, position, rope, spec.contextLength());
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> { }
        }
        return head;
    }

    /** Whether query position q sees key position k in block {@code layer}. */
    static boolean visible(ModelSpec spec, int layer, int q, int k, int prefixLength) {
        boolean family = k <= q || (spec.kind() == ArchitectureKind.PREFIX_DECODER && k < prefixLength)
                || spec.kind() == ArchitectureKind.ENCODER; // BERT: every token sees the whole sequence
        return family && (!slides(spec, layer) || Math.abs(q - k) < spec.attention().window().size());
    }

    /** Whether block {@code layer} has a sliding window: "every n-th layer (layers n-1, 2n-1, ...) is global". */
    private static boolean slides(ModelSpec spec, int layer) {
        SlidingWindow window = spec.attention().window();
        return window != null && (window.globalEvery() == 0 || (layer + 1) % window.globalEvery() != 0);
    }

    private static double positionBias(ModelSpec spec, ReferenceWeights w, int head, int q, int k) {
        return switch (spec.positional()) {
            case Positional.Alibi alibi -> -ReferencePositions.alibiSlope(head, spec.attention().heads(),
                    alibi.maxBias()) * Math.abs(q - k);
            case Positional.T5Bias t5 -> {
                boolean bidirectional = spec.kind() != ArchitectureKind.CAUSAL_DECODER;
                int bucket = ReferencePositions.t5Bucket(k - q, bidirectional, t5.buckets(), t5.maxDistance());
                // blk.0.attn_rel_b.weight is [heads, buckets] in ggml order: buckets rows of heads values
                yield w.get("blk.0.attn_rel_b.weight")[bucket * spec.attention().heads() + head];
            }
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _ -> 0;
        };
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] flatten(double[][][] x) {
        int n = 0;
        for (double[][] plane : x) {
            for (double[] row : plane) {
                n += row.length;
            }
        }
        double[] out = new double[n];
        int o = 0;
        for (double[][] plane : x) {
            for (double[] row : plane) {
                System.arraycopy(row, 0, out, o, row.length);
                o += row.length;
            }
        }
        return out;
    }
}
