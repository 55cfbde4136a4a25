package dev.llmgraph.reference;

import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.plan.EncoderDecoderPlan;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An encoder-decoder (T5) in plain Java and double precision, written from the paper (Raffel et al. 2020, section
 * 2.1) and not from the plan: the encoder is {@link ReferenceForward#encode} of the encoder stack; the decoder is
 * <pre>
 *  x = E[token]
 *  each block:  x = x + SelfAttn(RMS(x))               causal, T5 bias with one-directional buckets, no 1/sqrt(hd)
 *               x = x + CrossAttn(RMS(x), h)           q from x, k and v from the encoder output h; softmax(q k^T) v
 *               x = x + FFN(RMS(x))
 *  logits = H (RMS(x) * s)                             s = dModel^-0.5 with T5's rescaled tied head, else 1
 * </pre>
 */
public final class ReferenceEncoderDecoder {
    private final EncoderDecoderSpec spec;
    private final ReferenceWeights encoder;
    private final ReferenceWeights decoder;
    /** Where the current run records its cross-attention weights. */
    private Map<String, double[]> crossWeights;

    private ReferenceEncoderDecoder(EncoderDecoderSpec spec, ReferenceWeights encoder, ReferenceWeights decoder) {
        this.spec = spec;
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /** The reference of {@code model}'s spec with its weights. */
    public static ReferenceEncoderDecoder of(EncoderDecoderModel model) {
        EncoderDecoderPlan plan = model.spec().plan();
        Map<String, String> decoderNames = new LinkedHashMap<>(plan.storedNames(EncoderDecoderPlan.DECODER));
        plan.cross().forEach(layer -> layer.forEach(w -> decoderNames.put(w.name(), w.name())));
        return new ReferenceEncoderDecoder(model.spec(),
                ReferenceWeights.readFrom(model, plan.storedNames(EncoderDecoderPlan.ENCODER)),
                ReferenceWeights.readFrom(model, decoderNames));
    }

    /** The encoder's output h [S][dModel]. */
    public double[][] encode(int[] input) {
        return new ReferenceForward(spec.encoder(), encoder).encode(input, null).hidden();
    }

    /** The decoder's logits [T][vocab] for {@code ids} (teacher-forced, from position 0) over the encoder output. */
    public double[][] decode(double[][] h, int[] ids) {
        return decode(h, ids, new HashMap<>());
    }

    /**
     * As {@link #decode(double[][], int[])}, recording in {@code nodes} each layer's cross-attention weights
     * {@code cross_kq_softmax.L}, flattened [heads][T][S].
     */
    public double[][] decode(double[][] h, int[] ids, Map<String, double[]> crossWeights) {
        ModelSpec d = spec.decoder();
        Norm norm = d.norm();
        double[][] x = new double[ids.length][];
        double[] table = decoder.get("token_embd.weight");
        for (int t = 0; t < ids.length; t++) {
            x[t] = java.util.Arrays.copyOfRange(table, ids[t] * d.dModel(), (ids[t] + 1) * d.dModel());
        }
        Map<String, double[]> nodes = new HashMap<>();
        this.crossWeights = crossWeights;
        for (int layer = 0; layer < d.layers(); layer++) {
            String b = "blk." + layer + ".";
            double[][] normed = rows(x, norm, decoder, b + "attn_norm");
            x = add(x, ReferenceAttention.apply(d, decoder, layer, normed, 0, nodes));
            x = add(x, cross(layer, rows(x, norm, decoder, "dec." + b + "cross_attn_norm"), h));
            double[][] ffnIn = rows(x, norm, decoder, b + "ffn_norm");
            double[][] ffn = new double[x.length][];
            for (int t = 0; t < x.length; t++) {
                ffn[t] = ReferenceFfn.apply(d.ffn(), ffnIn[t], decoder, layer);
            }
            x = add(x, ffn);
        }
        double[] head = decoder.get(d.tiedEmbeddings() ? "token_embd.weight" : "output.weight");
        double[][] logits = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double[] out = ReferenceNorms.apply(norm, x[t], decoder, "output_norm");
            for (int i = 0; i < out.length; i++) {
                out[i] *= spec.headScale();
            }
            logits[t] = ReferenceWeights.matVec(head, out, null);
        }
        return logits;
    }

    /** Cross-attention of {@code layer}: every decoder position attends to every encoder position. */
    private double[][] cross(int layer, double[][] x, double[][] h) {
        String b = "dec.blk." + layer + ".cross_attn_";
        int heads = spec.heads(), hd = spec.headDim();
        double[][] k = new double[h.length][], v = new double[h.length][];
        for (int s = 0; s < h.length; s++) {
            k[s] = decoder.linear(b + "k", h[s]);
            v[s] = decoder.linear(b + "v", h[s]);
        }
        double[][] out = new double[x.length][];
        double[] weights = new double[heads * x.length * h.length];
        for (int t = 0; t < x.length; t++) {
            double[] q = decoder.linear(b + "q", x[t]);
            double[] merged = new double[heads * hd];
            for (int head = 0; head < heads; head++) {
                double[] scores = new double[h.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < h.length; s++) {
                    for (int i = 0; i < hd; i++) {
                        scores[s] += q[head * hd + i] * k[s][head * hd + i];
                    }
                    max = Math.max(max, scores[s]);
                }
                double sum = 0;
                for (int s = 0; s < h.length; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    sum += scores[s];
                }
                for (int s = 0; s < h.length; s++) {
                    weights[(head * x.length + t) * h.length + s] = scores[s] / sum;
                    for (int i = 0; i < hd; i++) {
                        merged[head * hd + i] += scores[s] / sum * v[s][head * hd + i];
                    }
                }
            }
            out[t] = decoder.linear(b + "o", merged);
        }
        crossWeights.put("cross_kq_softmax." + layer, weights);
        return out;
    }

    private static double[][] rows(double[][] x, Norm norm, ReferenceWeights w, String base) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = ReferenceNorms.apply(norm, x[t], w, base);
        }
        return out;
    }

    private static double[][] add(double[][] x, double[][] y) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                out[t][i] = x[t][i] + y[t][i];
            }
        }
        return out;
    }
}
