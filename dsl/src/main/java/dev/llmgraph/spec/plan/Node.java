package dev.llmgraph.spec.plan;

import java.util.Arrays;

/**
 * A named node of a forward pass: the name the ggml graph gives it (so a model can return it), what it
 * computes, and its shape in the paper's order, in which {@link #TOKENS} stands for the new tokens T of a
 * batch and {@link #KEYS} for the keys visible to them (cached + T).
 *
 * @param name  e.g. {@code attn_norm.3}
 * @param what  e.g. {@code RMSNorm(eps=1.0E-5) before attention}
 * @param shape sizes in the paper's order, e.g. {@code [TOKENS, 4096]}
 */
public record Node(String name, String what, long[] shape) {
    /** The new tokens of a batch, T. */
    public static final long TOKENS = -1;
    /** The keys a new token can see, K = cached + T. */
    public static final long KEYS = -2;

    public Node {
        shape = shape.clone();
    }

    public static Node of(String name, String what, long... shape) {
        return new Node(name, what, shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape for a batch of {@code tokens} new tokens that see {@code keys} keys. */
    public long[] shape(long tokens, long keys) {
        long[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] == TOKENS ? tokens : out[i] == KEYS ? keys : out[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Node n && n.name.equals(name) && n.what.equals(what) && Arrays.equals(n.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + what;
    }
}
