package dev.llmgraph.model.lower;

/**
 * {@code W + scale * B A} on the host, for merging an adapter into its base weights. In ggml order W is
 * [in, out] (row o holds the in weights of output o), A is [in, rank] (row k: in values) and B is [rank, out]
 * (row o: rank values), so {@code (B A)[o][i] = sum_k B[o][k] A[k][i]}. Sums are taken in double and rounded
 * once.
 */
public final class LowRankUpdate {
    private LowRankUpdate() {}

    /** {@code weights} plus {@code scale * B A}, where W has {@code in} columns and A, B have {@code rank}. */
    public static float[] addTo(float[] weights, float[] a, float[] b, int in, int rank, float scale) {
        int out = weights.length / in;
        float[] merged = new float[weights.length];
        double[] row = new double[in];
        for (int o = 0; o < out; o++) {
            java.util.Arrays.fill(row, 0);
            for (int k = 0; k < rank; k++) {
                double factor = b[o * rank + k];
                for (int i = 0; i < in; i++) {
                    row[i] += factor * a[k * in + i];
                }
            }
            for (int i = 0; i < in; i++) {
                merged[o * in + i] = (float) (weights[o * in + i] + scale * row[i]);
            }
        }
        return merged;
    }
}
