package dev.llmgraph.reference;

import dev.llmgraph.model.Model;

import java.util.HashMap;
import java.util.Map;

/**
 * A model's weights as doubles, by llama.cpp name, read back from the ggml model so that the reference and
 * the lowering multiply by identical values.
 *
 * <p>ggml stores a weight of shape {@code [in, out]} (ggml order, ne[0] fastest) as {@code out} rows of
 * {@code in} values: element (o, i) of the paper's {@code out x in} matrix is at {@code o * in + i}.
 */
public final class ReferenceWeights {
    private final Map<String, double[]> values = new HashMap<>();

    private ReferenceWeights() {}

    public static ReferenceWeights readFrom(Model model) {
        ReferenceWeights w = new ReferenceWeights();
        for (String name : model.weightNames()) {
            float[] f = model.weight(name);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            w.values.put(name, d);
        }
        return w;
    }

    /**
     * One stack of an encoder-decoder's weights under its plan's names ({@code alias -> stored name}, as
     * {@code EncoderDecoderPlan.storedNames} gives them), so that the stack's reference reads them as any model's.
     */
    public static ReferenceWeights readFrom(dev.llmgraph.model.EncoderDecoderModel model,
                                            Map<String, String> aliasToStored) {
        ReferenceWeights w = new ReferenceWeights();
        aliasToStored.forEach((alias, stored) -> {
            float[] f = model.weight(stored);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            w.values.put(alias, d);
        });
        return w;
    }

    public double[] get(String name) {
        double[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the reference has no weight '" + name + "'");
        }
        return v;
    }

    /** Changes one element of a weight (for finite differences); returns the old value. */
    public double set(String name, int index, double value) {
        double[] v = get(name);
        double old = v[index];
        v[index] = value;
        return old;
    }

    /** The weight, or null when the spec has none of that name (a norm without bias, a projection without one). */
    public double[] find(String name) {
        return values.get(name);
    }

    /** {@code W x + b} for {@code base}.weight (out rows of x.length values) and the optional {@code base}.bias. */
    public double[] linear(String base, double[] x) {
        double[] w = get(base + ".weight");
        double[] b = find(base + ".bias");
        return matVec(w, x, b);
    }

    /** {@code W x + b} for a row-major matrix of x.length columns; b may be null. */
    static double[] matVec(double[] w, double[] x, double[] b) {
        int in = x.length;
        int out = w.length / in;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double sum = b == null ? 0 : b[o];
            for (int i = 0; i < in; i++) {
                sum += w[o * in + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }
}
