package dev.llmgraph.ggml;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Inputs that ggml would answer with a failed assertion (aborting the JVM, and a learner's notebook with
 * it) are refused in Java with an IllegalArgumentException that says what was wrong. The messages are
 * part of the teaching, so they are asserted word for word. After each test the JVM must still compute.
 */
class OpValidationTest {
    private static final String GGML_ORDER = "; shapes in ggml order, ne[0] first)";

    private static void assertRejected(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @AfterEach
    void jvmStillComputes() {
        StillComputes.assertStillComputes();
    }

    @Test
    void mulMatNeedsEqualRowLengths() {
        try (Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor(GgmlType.F32, 64, 32);
            Tensor b = ctx.newTensor(GgmlType.F32, 48, 7);
            assertRejected("mul_mat: a and b must have the same ne[0] (the length of the dot products): 64 vs 48 "
                    + "(a = f32 [64, 32], b = f32 [48, 7]" + GGML_ORDER, () -> ctx.mulMat(a, b));
        }
    }

    @Test
    void mulMatBroadcastNeedsWholeGroups() {
        try (Context ctx = Context.create(4)) {
            Tensor keys = ctx.newTensor("k", GgmlType.F32, 32, 12, 3);
            Tensor queries = ctx.newTensor("q", GgmlType.F32, 32, 5, 8);
            assertRejected("mul_mat: b.ne[2] and b.ne[3] must be multiples of a.ne[2] and a.ne[3] (a is broadcast "
                    + "over b) (a = k f32 [32, 12, 3], b = q f32 [32, 5, 8]" + GGML_ORDER, () -> ctx.mulMat(keys, queries));
        }
    }

    @Test
    void addNeedsABroadcastableSecondOperand() {
        try (Context ctx = Context.create(4)) {
            Tensor a = ctx.newTensor(GgmlType.F32, 4, 3);
            Tensor b = ctx.newTensor(GgmlType.F32, 4, 2);
            assertRejected("add: every dimension of a must be a multiple of b's, so that b can be broadcast over a "
                    + "(a = f32 [4, 3], b = f32 [4, 2]" + GGML_ORDER, () -> ctx.add(a, b));
        }
    }

    @Test
    void elementWiseOpsTakeTheTypePairsTheKernelsHave() {
        try (Context ctx = Context.create(4)) {
            Tensor weights = ctx.newTensor(GgmlType.Q8_0, 32, 2);
            Tensor bias = ctx.newTensor(GgmlType.F32, 32);
            assertRejected("mul: a must be f32, f16 or bf16, and b of the same type or f32 (a = q8_0 [32, 2], "
                    + "b = f32 [32]" + GGML_ORDER, () -> ctx.mul(weights, bias));
        }
    }

    @Test
    void scaleAndSumRowsTakeF32() {
        try (Context ctx = Context.create(4)) {
            Tensor half = ctx.newTensor(GgmlType.F16, 8, 2);
            assertRejected("scale: the input must be f32 (a = f16 [8, 2]" + GGML_ORDER, () -> ctx.scale(half, 2f));
            assertRejected("sum_rows: the input must be f32 (a = f16 [8, 2]" + GGML_ORDER, () -> ctx.sumRows(half));
        }
    }

    @Test
    void topKNeedsContiguousRows() {
        try (Context ctx = Context.create(4)) {
            Tensor scores = ctx.newTensor(GgmlType.F32, 6, 4);
            Tensor columns = ctx.transpose(scores);
            assertRejected("top_k: the input must be contiguous; copy it with cont() first (a = (transposed) f32 [4, 6]"
                    + GGML_ORDER, () -> ctx.topK(columns, 2));
        }
    }

    @Test
    void getRowsNeedsI32Indices() {
        try (Context ctx = Context.create(4)) {
            Tensor table = ctx.newTensor("token_embd", GgmlType.F32, 8, 10);
            Tensor tokens = ctx.newTensor("tokens", GgmlType.F32, 3);
            assertRejected("get_rows: the row indices must be i32 (a = token_embd f32 [8, 10], b = tokens f32 [3]"
                    + GGML_ORDER, () -> ctx.getRows(table, tokens));
        }
    }

    @Test
    void softMaxNeedsAMaskRowPerQuery() {
        try (Context ctx = Context.create(4)) {
            Tensor scores = ctx.newTensor("kq", GgmlType.F32, 12, 5, 4);
            Tensor mask = ctx.newTensor("kq_mask", GgmlType.F32, 12, 3);
            assertRejected("soft_max_ext: the mask needs at least one row per query row: mask.ne[1] >= a.ne[1] "
                    + "(a = kq f32 [12, 5, 4], b = kq_mask f32 [12, 3]" + GGML_ORDER,
                    () -> ctx.attention().softMax(scores, mask, 0.125f, 0f));
        }
    }

    @Test
    void softMaxNeedsF32Scores() {
        try (Context ctx = Context.create(4)) {
            Tensor scores = ctx.newTensor("kq", GgmlType.F16, 12, 5);
            assertRejected("soft_max_ext: the input must be f32 (a = kq f16 [12, 5], b = none" + GGML_ORDER,
                    () -> ctx.attention().softMax(scores, null, 1f, 0f));
        }
    }

    @Test
    void ropeNeedsOnePositionPerToken() {
        try (Context ctx = Context.create(4)) {
            Tensor q = ctx.newTensor("q", GgmlType.F32, 64, 4, 6);
            Tensor positions = ctx.newTensor("positions", GgmlType.I32, 5);
            assertRejected("rope_ext: there must be one position per token: a.ne[2] must equal positions.ne[0] "
                    + "(a = q f32 [64, 4, 6], b = positions i32 [5]" + GGML_ORDER,
                    () -> ctx.attention().rope(q, positions, 64, RopeMode.NEOX, 4096, 10000f, 1f, Yarn.OFF));
        }
    }

    /** ggml's CPU kernel would write one value into the next head, and ggml-cuda's would abort. */
    @Test
    void ropeNeedsHeadsOfEvenSize() {
        try (Context ctx = Context.create(4)) {
            Tensor q = ctx.newTensor("q", GgmlType.F32, 9, 3, 5);
            Tensor positions = ctx.newTensor("positions", GgmlType.I32, 5);
            assertRejected("rope_ext: each row (a head) must have an even length, got ne[0] = 9 "
                    + "(a = q f32 [9, 3, 5], b = positions i32 [5]" + GGML_ORDER,
                    () -> ctx.attention().rope(q, positions, 8, RopeMode.NORMAL, 4096, 10000f, 1f, Yarn.OFF));
        }
    }

    /** ggml asserts both (ggml_rope_impl), which would abort the JVM. */
    @Test
    void ropeDivisorsNeedOneF32ValuePerRotatedPair() {
        try (Context ctx = Context.create(4)) {
            Tensor q = ctx.newTensor("q", GgmlType.F32, 64, 4, 6);
            Tensor positions = ctx.newTensor("positions", GgmlType.I32, 6);
            Tensor few = ctx.newTensor("divisors", GgmlType.F32, 16);
            Tensor half = ctx.newTensor("halves", GgmlType.F16, 32);
            assertRejected("rope_ext: the frequency factors must be an f32 vector of at least dims / 2 = 32 values, one "
                    + "per rotated pair (a = q f32 [64, 4, 6], b = positions i32 [6], c = divisors f32 [16]" + GGML_ORDER,
                    () -> ctx.attention().rope(q, positions, few, 64, RopeMode.NORMAL, 4096, 10000f, 1f, Yarn.OFF));
            assertRejected("rope_ext: the frequency factors must be an f32 vector of at least dims / 2 = 32 values, one "
                    + "per rotated pair (a = q f32 [64, 4, 6], b = positions i32 [6], c = halves f16 [32]" + GGML_ORDER,
                    () -> ctx.attention().rope(q, positions, half, 64, RopeMode.NORMAL, 4096, 10000f, 1f, Yarn.OFF));
        }
    }

    @Test
    void flashAttentionNeedsKeyHeadsThatDivideQueryHeads() {
        try (Context ctx = Context.create(4)) {
            Tensor q = ctx.newTensor("q", GgmlType.F32, 64, 5, 8);
            Tensor k = ctx.newTensor("k", GgmlType.F16, 64, 9, 3);
            Tensor v = ctx.newTensor("v", GgmlType.F16, 64, 9, 3);
            assertRejected("flash_attn_ext: query heads q.ne[2] must be a multiple of key heads k.ne[2] "
                    + "(a = q f32 [64, 5, 8], b = k f16 [64, 9, 3], c = v f16 [64, 9, 3], d = none" + GGML_ORDER,
                    () -> ctx.attention().flashAttention(q, k, v, null, 0.125f, 0f, 0f));
        }
    }

    /** The usual non-flash V cache is stored transposed; flash attention needs it the other way round. */
    @Test
    void flashAttentionNeedsUntransposedValues() {
        try (Context ctx = Context.create(8)) {
            Tensor q = ctx.newTensor("q", GgmlType.F32, 64, 5, 4);
            Tensor k = ctx.newTensor("k", GgmlType.F16, 64, 9, 2);
            Tensor vTransposed = ctx.newTensor("v", GgmlType.F16, 9, 64, 2);
            Tensor v = ctx.permute(vTransposed, 1, 0, 2, 3);
            assertRejected("flash_attn_ext: the elements of each row of q, k and v must be adjacent (v is [headDimV, "
                    + "keys, kvHeads], not transposed); copy a permuted or transposed view with cont() first "
                    + "(a = q f32 [64, 5, 4], b = k f16 [64, 9, 2], c = v (permuted) f16 [64, 9, 2], d = none" + GGML_ORDER,
                    () -> ctx.attention().flashAttention(q, k, v, null, 0.125f, 0f, 0f));
        }
    }

    @Test
    void flashAttentionNeedsF32Queries() {
        try (Context ctx = Context.create(4)) {
            Tensor q = ctx.newTensor("q", GgmlType.F16, 64, 5, 4);
            Tensor k = ctx.newTensor("k", GgmlType.F16, 64, 9, 2);
            Tensor v = ctx.newTensor("v", GgmlType.F16, 64, 9, 2);
            assertRejected("flash_attn_ext: q must be f32 (a = q f16 [64, 5, 4], b = k f16 [64, 9, 2], "
                    + "c = v f16 [64, 9, 2], d = none" + GGML_ORDER,
                    () -> ctx.attention().flashAttention(q, k, v, null, 0.125f, 0f, 0f));
        }
    }

    @Test
    void ropeNeedsAdjacentRowElements() {
        try (Context ctx = Context.create(4)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 4, 64, 6);
            Tensor headsFirst = ctx.permute(x, 1, 0, 2, 3);
            Tensor positions = ctx.newTensor("positions", GgmlType.I32, 6);
            assertRejected("rope_ext: the elements of each row must be adjacent; copy a permuted tensor with cont() "
                    + "first (a = x (permuted) f32 [64, 4, 6], b = positions i32 [6]" + GGML_ORDER,
                    () -> ctx.attention().rope(headsFirst, positions, 64, RopeMode.NORMAL, 4096, 10000f, 1f, Yarn.OFF));
        }
    }

    @Test
    void gatedUnitsNeedFloatInputs() {
        try (Context ctx = Context.create(4)) {
            Tensor gate = ctx.newTensor("gate", GgmlType.I32, 8, 2);
            Tensor up = ctx.newTensor("up", GgmlType.I32, 8, 2);
            assertRejected("swiglu_split: gate and up must be f32 or f16 (a = gate i32 [8, 2], b = up i32 [8, 2]"
                    + GGML_ORDER, () -> ctx.glu(Glu.SWIGLU, gate, up));
        }
    }

    @Test
    void activationsNeedAdjacentRowElements() {
        try (Context ctx = Context.create(4)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 8, 4);
            Tensor transposed = ctx.transpose(x);
            assertRejected("gelu: the elements of each row must be adjacent; copy a transposed or permuted tensor "
                    + "with cont() first (a = x (transposed) f32 [4, 8]" + GGML_ORDER, () -> ctx.gelu(transposed));
        }
    }

    @Test
    void rmsNormNeedsANonNegativeEps() {
        try (Context ctx = Context.create(4)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 8, 2);
            assertRejected("rms_norm: eps must be >= 0 (it keeps the division away from zero), got -1.0E-5 "
                    + "(a = x f32 [8, 2]" + GGML_ORDER, () -> ctx.rmsNorm(x, -1e-5f));
        }
    }

    @Test
    void reshapeMustKeepTheElementCount() {
        try (Context ctx = Context.create(4)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 6, 4);
            assertRejected("reshape: the new shape [5, 5] must keep the 24 elements (a = x f32 [6, 4]" + GGML_ORDER,
                    () -> ctx.reshape(x, 5, 5));
        }
    }

    @Test
    void viewMustStayInsideItsTensor() {
        try (Context ctx = Context.create(4)) {
            Tensor x = ctx.newTensor("x", GgmlType.F32, 8, 4);
            // Row 4 of a tensor with rows 0 to 3 starts at byte 4 · 32 = 128, where the data ends.
            assertRejected("view: the view covers bytes 128 to 160 but the tensor has 128 (a = x f32 [8, 4]"
                    + GGML_ORDER, () -> ctx.view(x, new long[] {8}, new long[0], 4 * x.nb(1)));
        }
    }
}
