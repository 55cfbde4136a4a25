package dev.llmgraph.model;

import java.util.Arrays;

/**
 * The values of a named graph node, read back after a forward pass.
 *
 * @param name   the node name, e.g. {@code attn_norm.0}
 * @param shape  sizes in the paper's order (ggml's order reversed), e.g. [T, dModel] or [heads, T, keys]
 * @param values the elements, last dimension fastest
 */
public record NodeValue(String name, long[] shape, float[] values) {
    /** Element at the given indices (paper order). */
    public float get(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(name + " has " + shape.length + " dimensions " + Arrays.toString(shape)
                    + ", " + index.length + " indices were given");
        }
        long offset = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + name + " "
                        + Arrays.toString(shape));
            }
            offset = offset * shape[i] + index[i];
        }
        return values[(int) offset];
    }

    /**
     * The elements as integers, for nodes that hold them (the router's chosen expert ids, {@code ffn_moe_topk.3});
     * refuses a node whose values are not whole numbers, naming it.
     */
    public int[] ints() {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != Math.rint(values[i]) || Math.abs(values[i]) > (1 << 24)) {
                throw new IllegalStateException(name + " holds " + values[i] + " at element " + i
                        + ", not a whole number: ints() is for id nodes such as ffn_moe_topk.0; use values()");
            }
            ints[i] = (int) values[i];
        }
        return ints;
    }

    /** Root mean square of all elements: a quick look at a node's scale. */
    public double rms() {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / values.length);
    }

    @Override
    public String toString() {
        return String.format("%s %s rms %.4g", name, Arrays.toString(shape), rms());
    }
}
