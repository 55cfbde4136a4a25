package dev.llmgraph.ggml;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Plain-Java, double-precision versions of ggml's ops, written from the maths (not from ggml's code), for
 * the op tests to compare against. Arrays hold elements in ggml order: index
 * {@code i0 + ne0 * (i1 + ne1 * (i2 + ne2 * i3))}, {@code ne[0]} fastest. Attention's pieces are in
 * {@link AttentionReference}.
 */
final class Reference {
    private Reference() {}

    /** Sizes padded to four dimensions with ones, as ggml stores them. */
    static int[] four(int... ne) {
        int[] out = {1, 1, 1, 1};
        System.arraycopy(ne, 0, out, 0, ne.length);
        return out;
    }

    static long[] longs(int[] ne) {
        return Arrays.stream(ne).asLongStream().toArray();
    }

    static int count(int[] ne) {
        return Arrays.stream(ne).reduce(1, (x, y) -> x * y);
    }

    static int index(int[] ne, int i0, int i1, int i2, int i3) {
        return i0 + ne[0] * (i1 + ne[1] * (i2 + ne[2] * i3));
    }

    static double[] abs(double[] x) {
        return Arrays.stream(x).map(Math::abs).toArray();
    }

    /**
     * ggml's mul_mat: a [k, n, a2, a3] and b [k, m, b2, b3] give c [n, m, b2, b3] with
     * c[i, j] = Σ_l a[l, i] · b[l, j]. a is broadcast over b in dimensions 2 and 3 in groups: b's matrix
     * i2 uses a's matrix i2 / (b2 / a2), so consecutive query heads share one key head (GQA).
     */
    static double[] mulMat(double[] a, int[] aNe, double[] b, int[] bNe) {
        int k = aNe[0], n = aNe[1], m = bNe[1];
        int group2 = bNe[2] / aNe[2], group3 = bNe[3] / aNe[3];
        int[] cNe = {n, m, bNe[2], bNe[3]};
        double[] c = new double[n * m * bNe[2] * bNe[3]];
        for (int i3 = 0; i3 < bNe[3]; i3++) {
            for (int i2 = 0; i2 < bNe[2]; i2++) {
                for (int j = 0; j < m; j++) {
                    for (int i = 0; i < n; i++) {
                        double sum = 0;
                        for (int l = 0; l < k; l++) {
                            sum += a[index(aNe, l, i, i2 / group2, i3 / group3)] * b[index(bNe, l, j, i2, i3)];
                        }
                        c[index(cNe, i, j, i2, i3)] = sum;
                    }
                }
            }
        }
        return c;
    }

    // ---- storage formats -------------------------------------------------------------------------------

    /** Each value rounded to the nearest IEEE binary16 (ties to even), as an F16 tensor stores it. */
    static double[] roundedToF16(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
        return out;
    }

    /**
     * The largest error of each value once stored as Q8_0. That format keeps each block of 32 values as
     * int8 numbers q times one f16 scale d = max|x| / 127: rounding x / d to an integer is off by at most d/2,
     * and storing d as f16 (relative error 2^-11) moves q·d by at most 127 · d · 2^-11 = 0.062 d. The sum,
     * 0.562 d, is rounded up to 0.57 d for the float rounding of x / d itself.
     */
    static double[] q8_0ErrorBound(float[] x) {
        double[] out = new double[x.length];
        for (int block = 0; block < x.length; block += 32) {
            double max = 0;
            for (int i = block; i < block + 32; i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            double d = max / 127;
            Arrays.fill(out, block, block + 32, 0.57 * d);
        }
        return out;
    }

    // ---- normalisation ---------------------------------------------------------------------------------

    /** LayerNorm without gain or bias: (x - mean) / sqrt(variance + eps), per row of {@code rowLength}. */
    static double[] norm(double[] x, int rowLength, double eps) {
        double[] out = new double[x.length];
        for (int row = 0; row < x.length; row += rowLength) {
            double mean = 0;
            for (int i = row; i < row + rowLength; i++) {
                mean += x[i];
            }
            mean /= rowLength;
            double variance = 0;
            for (int i = row; i < row + rowLength; i++) {
                variance += (x[i] - mean) * (x[i] - mean);
            }
            variance /= rowLength;
            for (int i = row; i < row + rowLength; i++) {
                out[i] = (x[i] - mean) / Math.sqrt(variance + eps);
            }
        }
        return out;
    }

    /** RMSNorm without gain: x / sqrt(mean(x²) + eps), per row of {@code rowLength}. */
    static double[] rmsNorm(double[] x, int rowLength, double eps) {
        double[] out = new double[x.length];
        for (int row = 0; row < x.length; row += rowLength) {
            double meanSquare = 0;
            for (int i = row; i < row + rowLength; i++) {
                meanSquare += x[i] * x[i];
            }
            meanSquare /= rowLength;
            for (int i = row; i < row + rowLength; i++) {
                out[i] = x[i] / Math.sqrt(meanSquare + eps);
            }
        }
        return out;
    }

    // ---- activations -----------------------------------------------------------------------------------

    /** GELU, tanh approximation (Hendrycks and Gimpel): x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))). */
    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** GELU, exact: x · Φ(x) = x/2 · (1 + erf(x / √2)). */
    static double geluErf(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** SiLU (swish): x · sigmoid(x). */
    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    static double relu(double x) {
        return Math.max(0, x);
    }

    /**
     * The error function, to about 1e-13: its Maclaurin series for |z| < 3 (all terms stay below 1e4, so
     * cancellation costs at most 1e-12), and the continued fraction of erfc (Abramowitz and Stegun 7.1.14)
     * beyond, where it converges in a few dozen steps.
     */
    static double erf(double z) {
        double x = Math.abs(z);
        double result;
        if (x < 3) {
            double term = x, sum = x;
            for (int n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x * x / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated backwards.
            double fraction = x;
            for (int n = 60; n >= 1; n--) {
                fraction = x + (n / 2.0) / fraction;
            }
            result = 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
        }
        return Math.copySign(result, z);
    }

    static double[] map(double[] x, java.util.function.DoubleUnaryOperator f) {
        return Arrays.stream(x).map(f).toArray();
    }

    // ---- layout ----------------------------------------------------------------------------------------

    /** Rows of {@code table} [rowLength, rows] picked by {@code indices}: result [rowLength, indices]. */
    static double[] getRows(double[] table, int rowLength, int[] indices) {
        double[] out = new double[rowLength * indices.length];
        for (int r = 0; r < indices.length; r++) {
            System.arraycopy(table, indices[r] * rowLength, out, r * rowLength, rowLength);
        }
        return out;
    }

    /** a and b joined along {@code dim}; all other sizes agree. */
    static double[] concat(double[] a, int[] aNe, double[] b, int[] bNe, int dim) {
        int[] ne = aNe.clone();
        ne[dim] += bNe[dim];
        double[] out = new double[a.length + b.length];
        int[] i = new int[4];
        for (i[3] = 0; i[3] < ne[3]; i[3]++) {
            for (i[2] = 0; i[2] < ne[2]; i[2]++) {
                for (i[1] = 0; i[1] < ne[1]; i[1]++) {
                    for (i[0] = 0; i[0] < ne[0]; i[0]++) {
                        boolean fromA = i[dim] < aNe[dim];
                        int[] j = i.clone();
                        if (!fromA) {
                            j[dim] -= aNe[dim];
                        }
                        out[index(ne, i[0], i[1], i[2], i[3])] = fromA
                                ? a[index(aNe, j[0], j[1], j[2], j[3])] : b[index(bNe, j[0], j[1], j[2], j[3])];
                    }
                }
            }
        }
        return out;
    }

    /** ggml's permute: dimension d of x becomes dimension axes[d] of the result. */
    static double[] permute(double[] x, int[] ne, int[] axes) {
        int[] outNe = new int[4];
        for (int d = 0; d < 4; d++) {
            outNe[axes[d]] = ne[d];
        }
        double[] out = new double[x.length];
        int[] i = new int[4];
        int[] o = new int[4];
        for (i[3] = 0; i[3] < ne[3]; i[3]++) {
            for (i[2] = 0; i[2] < ne[2]; i[2]++) {
                for (i[1] = 0; i[1] < ne[1]; i[1]++) {
                    for (i[0] = 0; i[0] < ne[0]; i[0]++) {
                        for (int d = 0; d < 4; d++) {
                            o[axes[d]] = i[d];
                        }
                        out[index(outNe, o[0], o[1], o[2], o[3])] = x[index(ne, i[0], i[1], i[2], i[3])];
                    }
                }
            }
        }
        return out;
    }

    /** For each row, the positions of its elements in sorted order. */
    static int[] argsort(float[] x, int rowLength, boolean descending) {
        int[] out = new int[x.length];
        for (int row = 0; row < x.length; row += rowLength) {
            int base = row;
            Comparator<Integer> byValue = Comparator.comparingDouble(i -> x[base + i]);
            int[] order = IntStream.range(0, rowLength).boxed()
                    .sorted(descending ? byValue.reversed() : byValue).mapToInt(Integer::intValue).toArray();
            System.arraycopy(order, 0, out, row, rowLength);
        }
        return out;
    }
}
