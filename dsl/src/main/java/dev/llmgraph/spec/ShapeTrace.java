package dev.llmgraph.spec;

import dev.llmgraph.spec.plan.Node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The named nodes of one forward pass with their shapes in the paper's order (T = new tokens,
 * K = keys visible = cached + T). The names are the ggml graph's node names, so a model can return any
 * of them.
 */
public record ShapeTrace(String model, int tokens, List<Entry> entries) {
    /**
     * @param name  the node name, e.g. {@code attn_norm.0}
     * @param shape sizes in the paper's order, e.g. {@code [T, dModel]}
     * @param what  what the node computes
     */
    public record Entry(String name, long[] shape, String what) {
        @Override
        public String toString() {
            return String.format("%-18s %-22s %s", name, Arrays.toString(shape), what);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.name.equals(name) && Arrays.equals(e.shape, shape) && e.what.equals(what);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }
    }

    public Entry find(String name) {
        return entries.stream().filter(e -> e.name.equals(name)).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("shape trace of " + model + " for " + tokens + " tokens (paper order)\n");
        for (Entry e : entries) {
            sb.append("  ").append(e).append('\n');
        }
        return sb.toString();
    }

    /** The nodes of {@code s}'s plan, with T = {@code tokens} and K = {@code cached + tokens}. */
    static List<Entry> of(ModelSpec s, int tokens, int cached) {
        List<Entry> out = new ArrayList<>();
        for (Node node : s.plan().nodes()) {
            out.add(new Entry(node.name(), node.shape(tokens, (long) cached + tokens), node.what()));
        }
        return out;
    }
}
