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

    /** ggml_reshape: a contiguous tensor keeps its element count; returns {@code ne} padded to 4 dimensions. */
    static long[] requireReshape(Tensor a, long... ne) {
        requireDims(ne, "reshape");
        long[] four = {1, 1, 1, 1};
        System.arraycopy(ne, 0, four, 0, ne.length);
        require(a.isContiguous(), "reshape", "only a contiguous tensor can be reshaped; copy it with cont() first", a);
        require(four[0] * four[1] * four[2] * four[3] == a.elementCount(), "reshape",
                "the new shape " + java.util.Arrays.toString(ne) + " must keep the " + a.elementCount() + " elements", a);
        return four;
    }

    /** ggml_view: one stride per dimension after the first, and the view inside {@code a}'s data. */
    static void requireView(Tensor a, long[] ne, long[] nb, long offset) {
        requireDims(ne, "view");
        require(nb.length == ne.length - 1, "view", "a view of " + ne.length + " dimensions takes " + (ne.length - 1)
                + " strides (for dimensions 1 and up), got " + nb.length, a);
        long extent = a.type().rowBytes(ne[0]);
        for (int d = 1; d < ne.length; d++) {
            extent += (ne[d] - 1) * nb[d - 1];
        }
        require(offset >= 0 && offset + extent <= a.byteSize(), "view", "the view covers bytes " + offset + " to "
                + (offset + extent) + " but the tensor has " + a.byteSize(), a);
    }

    /** ggml_permute: the axes are 0, 1, 2 and 3 in some order. */
    static void requirePermutation(Tensor a, int... axes) {
        boolean[] seen = new boolean[4];
        for (int axis : axes) {
            require(axis >= 0 && axis < 4 && !seen[axis], "permute",
                    "the axes must be 0, 1, 2 and 3 in some order, got " + java.util.Arrays.toString(axes), a);
            seen[axis] = true;
        }
    }

    /** ggml_get_rows: i32 indices [n, ne2, ne3] over a [row, n_rows, ne2, ne3]. */
    static void requireGetRows(Tensor a, Tensor rows) {
        require(rows.type() == GgmlType.I32, "get_rows", "the row indices must be i32", a, rows);
        require(a.ne(2) == rows.ne(1) && a.ne(3) == rows.ne(2) && rows.ne(3) == 1, "get_rows",
                "indices [n, ne2, ne3] select from a [row, n_rows, ne2, ne3]: a.ne[2] must equal rows.ne[1] and "
                        + "a.ne[3] must equal rows.ne[2]", a, rows);
    }

    /** ggml_concat: same type, and every dimension but {@code dim} agrees. */
    static void requireConcat(Tensor a, Tensor b, int dim) {
        require(dim >= 0 && dim < 4, "concat", "dim must be 0 to 3, got " + dim, a, b);
        require(a.type() == b.type(), "concat", "a and b must have the same type", a, b);
        for (int d = 0; d < 4; d++) {
            require(d == dim || a.ne(d) == b.ne(d), "concat", "all dimensions except " + dim
                    + " must agree, but ne[" + d + "] differs", a, b);
        }
    }

    /** ggml_mul_mat: rows of the same length, a broadcast over b, a not transposed. */
    static void requireMulMat(Tensor a, Tensor b) {
        require(a.ne(0) == b.ne(0), "mul_mat", "a and b must have the same ne[0] (the length of the dot products): "
                + a.ne(0) + " vs " + b.ne(0), a, b);
        require(b.ne(2) % a.ne(2) == 0 && b.ne(3) % a.ne(3) == 0, "mul_mat",
                "b.ne[2] and b.ne[3] must be multiples of a.ne[2] and a.ne[3] (a is broadcast over b)", a, b);
        require(!a.isTransposed(), "mul_mat", "a must not be a transposed view; copy it with cont() first", a, b);
    }

    // ggml-cpu asserts eps >= 0 when it computes the norm, which would abort the process mid-compute.
    static void requireEps(String op, Tensor a, float eps) {
        require(eps >= 0, op, "eps must be >= 0 (it keeps the division away from zero), got " + eps, a);
    }

    // ggml asserts adjacent row elements when the op is created, and ggml-cpu has these kernels for f32
    // and f16 only (other types abort when computed).
    static Tensor activationInput(String op, Tensor a) {
        require(isF32OrF16(a), op, "the input must be f32 or f16", a);
        require(hasAdjacentRowElements(a), op, "the elements of each row must be adjacent; copy a "
                + "transposed or permuted tensor with cont() first", a);
        return a;
    }

    /** The split GLU ops: gate and up of one float type and shape, with contiguous rows. */
    static void requireGlu(String name, Tensor gate, Tensor up) {
        require(isF32OrF16(gate), name, "gate and up must be f32 or f16", gate, up);
        require(gate.type() == up.type(), name, "gate and up must have the same type", gate, up);
        require(sameShape(gate, up), name, "gate and up must have the same shape", gate, up);
        require(isContiguousBeyond(gate, 1) && isContiguousBeyond(up, 1), name,
                "the rows of gate and up must be contiguous", gate, up);
    }

    /** The fused GLU ops: one float tensor whose rows hold the gate half, then the value half. */
    static void requireFusedGlu(String name, Tensor fused) {
        require(isF32OrF16(fused), name, "the input must be f32 or f16", fused);
        require(fused.ne(0) % 2 == 0, name, "ne[0] must be even (gate half, then value half)", fused);
        require(isContiguousBeyond(fused, 1), name, "the rows must be contiguous", fused);
    }

    /** The element-wise binary ops: b broadcasts over a, and the CPU kernels take these type pairs only. */
    static void requireBroadcast(String op, Tensor a, Tensor b) {
        require(canBroadcast(b, a), op, "every dimension of a must be a multiple of b's, so that b can be "
                + "broadcast over a", a, b);
        require(a.type().isFloat() && (b.type() == a.type() || b.type() == GgmlType.F32), op,
                "a must be f32, f16 or bf16, and b of the same type or f32", a, b);
    }
}
