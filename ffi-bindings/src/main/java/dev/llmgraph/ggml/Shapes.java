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

    /** ggml_set_rows: indices, types, row lengths and broadcast (see {@link Context#setRows}). */
    static void requireSetRows(Tensor destination, Tensor source, Tensor rows) {
        require(rows.type() == GgmlType.I32 || rows.type() == GgmlType.I64, "set_rows", "the row indices must be i32 "
                + "or i64", destination, source, rows);
        require(source.type() == GgmlType.F32 || source.type() == GgmlType.F16, "set_rows",
                "the source rows must be f32 or f16", destination, source, rows);
        require(destination.ne(0) == source.ne(0), "set_rows", "destination and source rows must have the same length "
                + "ne[0]", destination, source, rows);
        require(destination.ne(2) == source.ne(2) && destination.ne(3) == source.ne(3), "set_rows",
                "destination and source must agree in ne[2] and ne[3]", destination, source, rows);
        require(source.ne(1) == rows.ne(0), "set_rows", "there must be one index per source row: rows.ne[0] must "
                + "equal source.ne[1]", destination, source, rows);
        require(source.ne(2) % rows.ne(1) == 0 && source.ne(3) % rows.ne(2) == 0 && rows.ne(3) == 1, "set_rows",
                "the indices must broadcast over source.ne[2] and ne[3]", destination, source, rows);
        require(destination.nb(0) == destination.type().blockBytes() && source.nb(0) == source.type().blockBytes(),
                "set_rows", "the elements of each row must be contiguous", destination, source, rows);
    }

    /** ggml_mul_mat_id: expert matrices, tokens and their expert ids (see {@link Context#mulMatId}). */
    static void requireMulMatId(Tensor as, Tensor b, Tensor ids) {
        require(ids.type() == GgmlType.I32, "mul_mat_id", "ids must be i32", as, b, ids);
        require(!as.isTransposed(), "mul_mat_id", "the expert matrices must not be transposed", as, b, ids);
        require(as.ne(3) == 1 && b.ne(3) == 1 && ids.ne(2) == 1 && ids.ne(3) == 1, "mul_mat_id",
                "as and b must be 3-d and ids 2-d", as, b, ids);
        require(ids.ne(1) == b.ne(2), "mul_mat_id", "ids needs one column of expert ids per token: ids.ne[1] must "
                + "equal b.ne[2]", as, b, ids);
        require(as.ne(0) == b.ne(0), "mul_mat_id", "as and b must have the same ne[0]", as, b, ids);
        require(ids.ne(0) % b.ne(1) == 0, "mul_mat_id", "ids.ne[0] must be a multiple of b.ne[1]", as, b, ids);
    }
}
