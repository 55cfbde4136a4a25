package dev.llmgraph.model;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which experts a mixture of experts chose for each token of a prompt, and with which weights: the router's
 * nodes {@code ffn_moe_topk.L} (ids) and {@code ffn_moe_weights.L} (their weights after renormalising and
 * scaling) of every sparse layer, read back from one forward pass.
 * <pre>{@code
 * Routing r = model.routing(tokens);
 * r.experts(1, 0)      // the ids layer 1 sent token 0 to, best first, e.g. [5, 2]
 * r.weights(1, 0)      // their weights, e.g. [0.62, 0.38]
 * r.load(1)            // how many tokens each expert of layer 1 received (sums to tokens x k)
 * Heatmaps.expertLoad(r)   // layers x experts
 * }</pre>
 *
 * @param spec    the model's spec
 * @param tokens  the prompt's length
 * @param layers  the sparse layers, in order
 * @param choices per sparse layer, ids [tokens][k]
 * @param weights per sparse layer, weights [tokens][k]
 */
public record Routing(ModelSpec spec, int tokens, int[] layers, int[][][] choices, float[][][] weights) {

    /** One forward pass of {@code tokens} through {@code model}, reading every sparse layer's choices. */
    public static Routing of(Model model, int[] tokens) {
        ModelSpec spec = model.spec();
        Moe moe = spec.moe();
        if (moe == null) {
            throw new IllegalArgumentException(spec.name() + " has no mixture of experts, so nothing routes; "
                    + "declare one with .moe(Moe.of(experts, k, Ffn.swiglu(width)))");
        }
        int[] sparse = java.util.stream.IntStream.range(0, spec.layers()).filter(moe::sparse).toArray();
        List<String> names = new ArrayList<>();
        for (int layer : sparse) {
            names.add("ffn_moe_topk." + layer);
            names.add("ffn_moe_weights." + layer);
        }
        Model.Inspection inspection = model.inspect(tokens, names.toArray(String[]::new));
        int k = moe.expertsPerToken();
        int[][][] choices = new int[sparse.length][][];
        float[][][] weights = new float[sparse.length][][];
        for (int i = 0; i < sparse.length; i++) {
            int[] ids = inspection.node("ffn_moe_topk." + sparse[i]).ints();
            float[] w = inspection.node("ffn_moe_weights." + sparse[i]).values();
            choices[i] = new int[tokens.length][];
            weights[i] = new float[tokens.length][];
            for (int t = 0; t < tokens.length; t++) {
                choices[i][t] = Arrays.copyOfRange(ids, t * k, (t + 1) * k);
                weights[i][t] = Arrays.copyOfRange(w, t * k, (t + 1) * k);
            }
        }
        return new Routing(spec, tokens.length, sparse, choices, weights);
    }

    /** The routed experts per layer. */
    public int experts() {
        return spec.moe().experts();
    }

    /** The experts each token goes to. */
    public int expertsPerToken() {
        return spec.moe().expertsPerToken();
    }

    /** The ids layer {@code layer} chose for token {@code token}, highest score first. */
    public int[] experts(int layer, int token) {
        return choices[index(layer)][token].clone();
    }

    /** The weights of those experts, in the same order. */
    public float[] weights(int layer, int token) {
        return weights[index(layer)][token].clone();
    }

    /** Tokens each expert of layer {@code layer} received; sums to tokens x k. */
    public int[] load(int layer) {
        int[] load = new int[experts()];
        for (int[] ids : choices[index(layer)]) {
            for (int id : ids) {
                load[id]++;
            }
        }
        return load;
    }

    /** The weight each token gives each expert of layer {@code layer}, [tokens][experts] (0 where not chosen). */
    public double[][] weightMatrix(int layer) {
        int i = index(layer);
        double[][] m = new double[tokens][experts()];
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < expertsPerToken(); j++) {
                m[t][choices[i][t][j]] = weights[i][t][j];
            }
        }
        return m;
    }

    private int index(int layer) {
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == layer) {
                return i;
            }
        }
        throw new IllegalArgumentException("layer " + layer + " does not route: the sparse layers of " + spec.name()
                + " are " + Arrays.toString(layers));
    }

    @Override
    public String toString() {
        return "routing of " + tokens + " tokens through " + layers.length + " sparse layers of " + spec.name()
                + " (" + expertsPerToken() + " of " + experts() + " experts per token)";
    }
}
