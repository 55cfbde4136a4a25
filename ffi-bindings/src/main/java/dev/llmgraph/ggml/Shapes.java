package dev.llmgraph.ggml;

import java.util.Arrays;

/**
 * Preconditions of ggml's ops, checked in Java before the native call. ggml checks the same things
 * with assertions that abort the process (and with it the learner's notebook); here they become
 * exceptions that name the op, the shapes (ggml order, {@code ne[0]} first) and the rule.
 */
final class Shapes {
    private Shapes() {}

    static void require(boolean condition, String op, String rule, Tensor... tensors) {
        if (!condition) {
            throw new IllegalArgumentException(op + ": " + rule + " (" + describeAll(tensors) + ")");
        }
    }

    static String describeAll(Tensor... tensors) {
        StringBuilder sb = new StringBuilder();
        char label = 'a';
        for (Tensor t : tensors) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(label++).append(" = ").append(t == null ? "none" : t.describe());
        }
        return sb.append("; shapes in ggml order, ne[0] first").toString();
    }

    /** ggml_can_repeat(b, a): every dimension of a is a multiple of b's, so b broadcasts over a. */
    static boolean canBroadcast(Tensor b, Tensor a) {
        for (int d = 0; d < 4; d++) {
            if (b.ne(d) == 0 || a.ne(d) % b.ne(d) != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean sameShape(Tensor a, Tensor b) {
        return Arrays.equals(a.ne(), b.ne());
    }

    /**
     * Java port of ggml_is_contiguous_m_n(t, m, 4): elements are packed, except that dimensions 1..m
     * may have any stride. m = 0 is plain contiguity, m = 1 is "rows contiguous" (what the GLU ops need).
     */
    static boolean isContiguousBeyond(Tensor t, int m) {
        GgmlType type = t.type();
        long next = type.blockBytes();
        if (t.ne(0) != type.blockSize() && t.nb(0) != next) {
            return false;
        }
        next *= t.ne(0) / type.blockSize();
        for (int i = 1; i < 4; i++) {
            if (i > m) {
                if (t.ne(i) != 1 && t.nb(i) != next) {
                    return false;
                }
                next *= t.ne(i);
            } else {
                next = t.ne(i) * t.nb(i);
            }
        }
        return true;
    }

    /**
     * The elements (blocks) of each row are adjacent, nb[0] = the type's block size in bytes. ggml-cpu's
     * activation, RoPE and flash-attention kernels assert this, aborting the process; a transposed or
     * permuted view breaks it.
     */
    static boolean hasAdjacentRowElements(Tensor t) {
        return t.nb(0) == t.type().blockBytes();
    }

    static boolean isF32OrF16(Tensor t) {
        return t.type() == GgmlType.F32 || t.type() == GgmlType.F16;
    }

    /** ggml_is_padded_1d: elements of a row are adjacent and higher dimensions are packed (scale). */
    static boolean isPadded1d(Tensor t) {
        return t.nb(0) == t.type().blockBytes() && t.nb(2) == t.nb(1) * t.ne(1) && t.nb(3) == t.nb(2) * t.ne(2);
    }

    static void requireDims(long[] ne, String op) {
        if (ne.length < 1 || ne.length > 4) {
            throw new IllegalArgumentException(op + ": a ggml tensor has 1 to 4 dimensions, " + ne.length
                    + " were given " + Arrays.toString(ne));
        }
        for (long n : ne) {
            if (n <= 0) {
                throw new IllegalArgumentException(op + ": every dimension must be positive, got "
                        + Arrays.toString(ne));
            }
        }
    }
}
