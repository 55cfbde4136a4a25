package dev.llmgraph.reference;

import dev.llmgraph.model.Model;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ChannelMixer;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.RwkvChannelMix;
import dev.llmgraph.spec.Ssm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An independent forward pass in plain Java and double precision: the spec's semantics written from the
 * definitions, one concept per file (norms, attention, positions, FFN), reading the same weights as the
 * ggml model. Slow and simple on purpose; it is what the lowering is checked against.
 * <pre>
 *  x = scale * E[token] + P[position]      (learned or sinusoidal P; the scale applies to E only)
 *  x = N_embd(x)                           (embedding norm, of the spec's norm type)
 *  each block, N = the spec's norm, A = attention, F = FFN:
 *    PRE        x = x + A(N1(x));            x = x + F(N2(x))
 *    SANDWICH   x = x + N1'(A(N1(x)));       x = x + N2'(F(N2(x)))
 *    POST       x = N1(x + A(x));            x = N2(x + F(x))
 *    DEEPNORM   x = N1(alpha x + A(x));      x = N2(alpha x + F(x)),   alpha = (2 layers)^(1/4)
 *    parallel   x = x + A(N1(x)) + F(N1(x))  (PRE)   or   x = N1(x + A(x) + F(x))  (POST)
 *    Mamba      x = x + M(N1(x))             (PRE, no FFN: M is Mamba's or Mamba-2's selective state space)
 *    hybrid     each layer's mixer and FFN (or experts) by {@link ReferenceLayers}: Jamba's Mamba layers are
 *               x = x + M(N1(x)); x = x + F(N2(x)), its attention layers the PRE block above
 *    RWKV       x = x + T(N1(x));            x = x + C(N2(x))   (PRE: RWKV's time mixing and channel mixing)
 *  logits = H N_final(x), soft-capped c tanh(logits / c) when the spec says so
 * An encoder (BERT) adds the row of each token's type (segment) to its embedding, lets every token attend to every
 * token, and has no head: its output is the hidden states N_final(x) and their pooled vector, the first row (CLS),
 * the last row, or the mean of the rows.
 * </pre>
 */
public final class ReferenceForward {
    private final ModelSpec spec;
    private final ReferenceWeights w;
    /** RWKV's time and channel mixing of the current run (it carries layer 0's values to later layers). */
    private ReferenceRwkv rwkv;
    /** The mask an encoder's call chose, or null for the layers' own masks. */
    private ReferenceAttention.KeyMask callMask;

    /**
     * @param logits [T][vocabSize]
     * @param nodes  intermediate values by the ggml graph's node names, flattened in the paper's order
     *               (e.g. {@code attn_norm.0} [T, dModel], {@code kq_softmax.1} [heads, T, T])
     */
    public record Result(double[][] logits, Map<String, double[]> nodes) {
        public double[] node(String name) {
            double[] v = nodes.get(name);
            if (v == null) {
                throw new IllegalArgumentException("the reference has no node '" + name + "'; it has " + nodes.keySet());
            }
            return v;
        }
    }

    public ReferenceForward(ModelSpec spec, ReferenceWeights weights) {
        this.spec = spec;
        this.w = weights;
    }

    /** The reference of {@code model}'s spec with {@code model}'s weights. */
    public static ReferenceForward of(Model model) {
        return new ReferenceForward(model.spec(), ReferenceWeights.readFrom(model));
    }

    /**
     * An encoder's output for {@code tokens} of types {@code types}.
     *
     * @param hidden [T][dModel]
     * @param pooled [dModel], or null without pooling
     * @param logits [T][vocabSize] of the masked-LM head, or null without one
     */
    public record Encoded(double[][] hidden, double[] pooled, double[][] logits) {}

    /** An encoder's hidden states and pooled vector; {@code types} null means every token is of type 0. */
    public Encoded encode(int[] tokens, int[] types) {
        return encode(tokens, types, null);
    }

    /**
     * As {@link #encode(int[], int[])}, every layer's attention letting query q see key k only where
     * {@code mask.sees(q, k)} (null: every key, the encoder's own mask).
     */
    public Encoded encode(int[] tokens, int[] types, ReferenceAttention.KeyMask mask) {
        callMask = mask;
        double[][] x = embeddings(tokens, types);
        Map<String, double[]> nodes = new LinkedHashMap<>();
        for (int layer = 0; layer < spec.layers(); layer++) {
            x = block(layer, x, tokens.length, nodes);
        }
        if (spec.finalNorm()) {
            x = norm(x, "output_norm");
        }
        int d = spec.dModel();
        double[] pooled = switch (spec.pooling()) {
            case Pooling.None _ -> null;
            case Pooling.Cls _ -> x[0].clone();
            case Pooling.Last _ -> x[x.length - 1].clone();
            case Pooling.Mean _ -> {
                double[] mean = new double[d];
                for (double[] row : x) {
                    for (int i = 0; i < d; i++) {
                        mean[i] += row[i] / x.length;
                    }
                }
                yield mean;
            }
        };
        return new Encoded(x, pooled, spec.maskedLmHead() ? maskedLm(x) : null);
    }

    /** BERT's masked-LM head: t = N(gelu(W h + b)), logits = E t + c with the token embedding E. */
    private double[][] maskedLm(double[][] hidden) {
        double[] table = w.get("token_embd.weight");
        double[][] logits = new double[hidden.length][];
        for (int t = 0; t < hidden.length; t++) {
            double[] dense = w.linear("mlm_dense", hidden[t]);
            for (int i = 0; i < dense.length; i++) {
                dense[i] = ReferenceFfn.activation(dev.llmgraph.spec.Activation.GELU, dense[i]);
            }
            logits[t] = ReferenceWeights.matVec(table, ReferenceNorms.apply(spec.norm(), dense, w, "mlm_norm"),
                    w.get("mlm_output.bias"));
        }
        return logits;
    }

    /** Logits of every position; the first {@code prefixLength} tokens attend bidirectionally (prefix decoder). */
    public Result run(int[] tokens, int prefixLength) {
        Map<String, double[]> nodes = new LinkedHashMap<>();
        callMask = null;
        rwkv = new ReferenceRwkv(w);
        double[][] x = embeddings(tokens, null);
        nodes.put("embd", flatten(x));
        for (int layer = 0; layer < spec.layers(); layer++) {
            x = block(layer, x, prefixLength, nodes);
            nodes.put("l_out." + layer, flatten(x));
        }
        double[][] logits = new double[tokens.length][];
        double[] head = w.get(spec.tiedEmbeddings() ? "token_embd.weight" : "output.weight");
        for (int t = 0; t < tokens.length; t++) {
            double[] h = spec.finalNorm() ? ReferenceNorms.apply(spec.norm(), x[t], w, "output_norm") : x[t];
            logits[t] = ReferenceWeights.matVec(head, h, spec.embeddings().outputBias() ? w.get("output.bias") : null);
            if (spec.finalLogitSoftcap() > 0) {
                double c = spec.finalLogitSoftcap();
                for (int v = 0; v < logits[t].length; v++) {
                    logits[t][v] = c * Math.tanh(logits[t][v] / c);
                }
            }
        }
        return new Result(logits, nodes);
    }

    private double[][] embeddings(int[] tokens, int[] types) {
        int d = spec.dModel();
        double[] table = w.get("token_embd.weight");
        double[] typeTable = spec.embeddings().tokenTypes() > 0 ? w.get("token_types.weight") : null;
        double[][] x = new double[tokens.length][d];
        for (int t = 0; t < tokens.length; t++) {
            for (int i = 0; i < d; i++) {
                double position = switch (spec.positional()) {
                    case Positional.Learned l -> w.get("position_embd.weight")[t * d + i];
                    case Positional.Sinusoidal s -> ReferencePositions.sinusoidal(t, i, d);
                    case Positional.None _, Positional.Rope _, Positional.Alibi _, Positional.T5Bias _ -> 0;
                };
                double segment = typeTable == null ? 0 : typeTable[(types == null ? 0 : types[t]) * d + i];
                x[t][i] = spec.embeddings().scale() * table[tokens[t] * d + i] + segment + position;
            }
            if (spec.embeddings().layerNorm()) {
                x[t] = ReferenceNorms.apply(spec.norm(), x[t], w, "token_embd_norm");
            }
        }
        return x;
    }

    private double[][] block(int layer, double[][] x, int prefixLength, Map<String, double[]> nodes) {
        String b = "blk." + layer + ".";
        NormPlacement placement = spec.placement();
        boolean postNorm = placement == NormPlacement.POST || placement == NormPlacement.DEEPNORM;
        double alpha = placement == NormPlacement.DEEPNORM ? Math.pow(2.0 * spec.layers(), 0.25) : 1;
        if (spec.parallelBlock()) {
            double[][] in = postNorm ? x : norm(x, b + "attn_norm");
            double[][] attention = mix(layer, in, prefixLength, nodes);
            double[][] sum = add(x, 1, add(attention, 1, ffn(in, layer)));
            if (!postNorm) {
                nodes.put("attn_norm." + layer, flatten(in));
                return sum;
            }
            double[][] out = norm(sum, b + "attn_norm");
            nodes.put("attn_norm." + layer, flatten(out));
            return out;
        }
        if (postNorm) {
            double[][] mid = norm(add(x, alpha, mix(layer, x, prefixLength, nodes)),
                    b + "attn_norm");
            nodes.put("attn_norm." + layer, flatten(mid));
            return norm(add(mid, alpha, ffn(mid, layer)), b + "ffn_norm");
        }
        double[][] in = norm(x, b + "attn_norm");
        nodes.put("attn_norm." + layer, flatten(in));
        double[][] attention = mix(layer, in, prefixLength, nodes);
        if (ReferenceLayers.channel(spec, layer) == null) {
            return add(x, 1, attention); // a mixer-only block (Mamba): x + M(N(x))
        }
        if (placement == NormPlacement.SANDWICH) {
            attention = norm(attention, b + "attn_post_norm");
        }
        double[][] mid = add(x, 1, attention);
        double[][] f = ffn(norm(mid, b + (spec.rwkv() != null ? "attn_norm_2" : "ffn_norm")), layer);
        if (placement == NormPlacement.SANDWICH) {
            f = norm(f, b + "ffn_post_norm");
        }
        return add(mid, 1, f);
    }

    /** The layer's sequence mixer: softmax attention, latent attention (MLA), or a selective state space. */
    private double[][] mix(int layer, double[][] x, int prefixLength, Map<String, double[]> nodes) {
        return switch (ReferenceLayers.mixer(spec, layer)) {
            case Attention _ -> callMask == null ? ReferenceAttention.apply(spec, w, layer, x, prefixLength, nodes)
                    : ReferenceAttention.apply(spec, w, layer, x, callMask, nodes);
            case LatentAttention l -> ReferenceLatentAttention.apply(spec, l, w, layer, x, nodes);
            case Ssm m -> ReferenceSelectiveScan.apply(m, spec.norm().eps(), w, layer, x, nodes);
            case Mamba2 m -> ReferenceMamba2.apply(m, spec.norm().eps(), w, layer, x, nodes);
            case Rwkv6 m -> rwkv.rwkv6(m, layer, x, nodes);
            case Rwkv7 m -> rwkv.rwkv7(m, layer, x, nodes);
            case LinearAttention m -> ReferenceLinearAttention.apply(m, spec.layers(), w, layer, x, nodes);
        };
    }

    private double[][] norm(double[][] x, String base) {
        Norm norm = spec.norm();
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = ReferenceNorms.apply(norm, x[t], w, base);
        }
        return out;
    }

    private double[][] ffn(double[][] x, int layer) {
        ChannelMixer channel = ReferenceLayers.channel(spec, layer);
        if (channel instanceof RwkvChannelMix m) { // shifts: reads the previous token too
            return rwkv.channelMix(m, layer, x);
        }
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = switch (channel) {
                case Ffn f -> ReferenceFfn.apply(f, x[t], w, layer);
                case Moe m -> ReferenceExperts.apply(m, x[t], w, layer);
                case RwkvChannelMix _ -> throw new IllegalStateException("channel mixing is a sequence's, above");
            };
        }
        return out;
    }

    /** alpha * x + y, row by row. */
    private static double[][] add(double[][] x, double alpha, double[][] y) {
        double[][] out = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                out[t][i] = alpha * x[t][i] + y[t][i];
            }
        }
        return out;
    }

    static double[] flatten(double[][] x) {
        return ReferenceAttention.flatten(new double[][][] {x});
    }
}
