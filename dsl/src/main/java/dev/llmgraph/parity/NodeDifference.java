package dev.llmgraph.parity;

import java.util.Arrays;

/**
 * One matched node: llama.cpp's and llmgraph's values compared in a common layout.
 *
 * @param llamaCppName the name in llama.cpp's graph, {@code "ffn_out-1"}
 * @param llmgraphName the name in llmgraph's graph, {@code "ffn_out.1"}
 * @param layout       how the two were brought to one layout
 * @param ne           the compared sizes in ggml order ({@code ne[0]} fastest), llama.cpp's layout
 * @param maxAbs       the largest |llmgraph - llama.cpp| over the elements
 * @param relative     {@code maxAbs} over the node's largest |value| in llama.cpp (its scale)
 * @param histogram    the element-wise differences in decades of the scale
 * @param tolerance    the largest {@code relative} that counts as agreeing
 */
public record NodeDifference(String llamaCppName, String llmgraphName, NodeLayout layout, long[] ne, double maxAbs,
                             double relative, DifferenceHistogram histogram, double tolerance) {

    /** Whether the node is outside the tolerance (a NaN difference is). */
    public boolean exceeds() {
        return !(relative <= tolerance);
    }

    /** Whether the two sides have the same sizes in the common layout (trailing ones aside). */
    static boolean comparable(NodeLayout.Laid reference, NodeLayout.Laid ours) {
        return Arrays.equals(trimmed(reference.ne()), trimmed(ours.ne()));
    }

    static NodeDifference compare(String llamaCppName, String llmgraphName, NodeLayout layout, NodeLayout.Laid reference,
                                  NodeLayout.Laid ours, double tolerance) {
        float[] a = ours.values(), b = reference.values();
        double maxAbs = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            maxAbs = Double.isNaN(d) || d > maxAbs ? d : maxAbs;
            scale = Math.max(scale, Math.abs(b[i]));
        }
        double divisor = scale > 0 ? scale : 1;
        return new NodeDifference(llamaCppName, llmgraphName, layout, reference.ne(), maxAbs, maxAbs / divisor,
                DifferenceHistogram.of(a, b, divisor), tolerance);
    }

    /** Sizes without trailing ones: [64, 1] and [64] are the same. */
    private static long[] trimmed(long[] ne) {
        int dims = ne.length;
        while (dims > 1 && ne[dims - 1] == 1) {
            dims--;
        }
        return Arrays.copyOf(ne, dims);
    }

    @Override
    public String toString() {
        return String.format("%s ~ %s %s: max |diff| %.3g, relative %.3g%s", llamaCppName, llmgraphName,
                Arrays.toString(ne), maxAbs, relative, exceeds() ? " (exceeds " + ParityReport.fmt(tolerance) + ")" : "");
    }
}
