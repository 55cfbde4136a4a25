package dev.llmgraph.ggml;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * ggml's {@code gated_linear_attn} against its definition in double precision, 2 heads of 64 over 5 tokens from a
 * random state, with the final state after the outputs: S_ij = g_i S_ij + k_i v_j, y_j = scale sum_i q_i S_ij (with
 * the updated state); and {@code elu} against its formula. Shapes that would make ggml assert are refused in words.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class LinearAttentionOpsTest {
    private static final int S = 64;
    private static final int HEADS = 2;
    private static final int TOKENS = 5;
    private static final int C = S * HEADS;
    private static final float SCALE = 0.125f;

    static Stream<String> backends() {
        return Backends.crossed(Stream.of("")).map(a -> (String) a.get()[0]);
    }

    @ParameterizedTest(name = "{0}: gated_linear_attn, 2 heads of 64")
    @MethodSource("backends")
    void gatedLinearAttentionFollowsItsRecurrenceAndReturnsTheFinalState(String backendName) {
        RandomInputs random = RandomInputs.forCase("gated_linear_attn");
        float[] k = random.uniform(C * TOKENS, -1, 1), v = random.uniform(C * TOKENS, -1, 1);
        float[] q = random.uniform(C * TOKENS, -1, 1), g = random.uniform(C * TOKENS, 0.5, 1);
        float[] state = random.uniform(S * C, -1, 1);
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor tk = ctx.newTensor(GgmlType.F32, S, HEADS, TOKENS), tv = ctx.newTensor(GgmlType.F32, S, HEADS,
                    TOKENS), tq = ctx.newTensor(GgmlType.F32, S, HEADS, TOKENS), tg = ctx.newTensor(GgmlType.F32, S,
                    HEADS, TOKENS), ts = ctx.newTensor(GgmlType.F32, S * C, 1);
            ctx.allocate(backend);
            tk.setFloats(k);
            tv.setFloats(v);
            tq.setFloats(q);
            tg.setFloats(g);
            ts.setFloats(state);
            got = Backends.computeAndRead(backend, ctx, LinearAttentionOps.of(ctx).gatedLinearAttention(tk, tv, tq,
                    tg, ts, SCALE));
        }
        double[] s = RandomInputs.widen(state);
        double[] expected = new double[C * TOKENS + S * C];
        for (int t = 0; t < TOKENS; t++) {
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < S; i++) {
                    int ki = t * C + h * S + i;
                    for (int j = 0; j < S; j++) {
                        int at = h * S * S + i * S + j;
                        s[at] = g[ki] * s[at] + (double) k[ki] * v[t * C + h * S + j];
                        expected[t * C + h * S + j] += SCALE * q[ki] * s[at];
                    }
                }
            }
        }
        System.arraycopy(s, 0, expected, C * TOKENS, s.length);
        // sums of 64 products of values below 1, compounded over 5 steps
        Compare.assertClose("gated_linear_attn", expected, got, new Compare.Tolerance(2e-5, 2e-5));
    }

    @ParameterizedTest(name = "{0}: elu")
    @MethodSource("backends")
    void eluIsTheIdentityAboveZeroAndExpMinusOneBelow(String backendName) {
        float[] x = RandomInputs.forCase("elu").uniform(64, -4, 4);
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tx = ctx.newTensor(GgmlType.F32, 64);
            ctx.allocate(backend);
            tx.setFloats(x);
            got = Backends.computeAndRead(backend, ctx, LinearAttentionOps.of(ctx).elu(tx));
        }
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i] > 0 ? x[i] : Math.expm1(x[i]);
        }
        Compare.assertClose("elu", expected, got, new Compare.Tolerance(1e-6, 1e-6));
    }

    @AfterEach
    void jvmStillComputes() {
        StillComputes.assertStillComputes();
    }

    @Test
    void shapesGgmlWouldAssertOnAreRefusedInWords() {
        try (Context ctx = Context.create(16)) {
            LinearAttentionOps ops = LinearAttentionOps.of(ctx);
            Tensor k = ctx.newTensor(GgmlType.F32, 64, 2, 5);
            Tensor shortV = ctx.newTensor(GgmlType.F32, 64, 2, 4);
            Tensor state = ctx.newTensor(GgmlType.F32, 64 * 128, 1);
            assertEquals("gated_linear_attn: v, q and g must have k's shape [headSize, heads, tokens] (a = f32 [64, 2, 5], b = f32 "
                    + "[64, 2, 4], c = f32 [64, 2, 5], d = f32 [64, 2, 5], e = f32 [8192]; shapes in ggml order, ne[0] "
                    + "first)", assertThrows(IllegalArgumentException.class,
                    () -> ops.gatedLinearAttention(k, shortV, k, k, state, 1f)).getMessage());
            Tensor small = ctx.newTensor(GgmlType.F32, 32, 4, 5);
            Tensor smallState = ctx.newTensor(GgmlType.F32, 32 * 128, 1);
            assertEquals("gated_linear_attn: the head size (k.ne[0]) must be 64 or 128, got 32: ggml's CUDA kernel is written "
                    + "for those (a = f32 [32, 4, 5], b = f32 [32, 4, 5], c = f32 [32, 4, 5], d = f32 [32, 4, 5], e = f32 "
                    + "[4096]; shapes in ggml order, ne[0] first)", assertThrows(IllegalArgumentException.class,
                    () -> ops.gatedLinearAttention(small, small, small, small, smallState, 1f)).getMessage());
            Tensor wrongState = ctx.newTensor(GgmlType.F32, 64 * 64, 1);
            assertEquals("gated_linear_attn: state must hold headSize x headSize x heads = 8192 values per sequence (a = f32 "
                    + "[64, 2, 5], b = f32 [64, 2, 5], c = f32 [64, 2, 5], d = f32 [64, 2, 5], e = f32 [4096]; shapes in "
                    + "ggml order, ne[0] first)", assertThrows(IllegalArgumentException.class,
                    () -> ops.gatedLinearAttention(k, k, k, k, wrongState, 1f)).getMessage());
            Tensor half = ctx.newTensor(GgmlType.F16, 64, 2, 5);
            assertEquals("gated_linear_attn: k, v, q, g and state must be f32 (a = f32 [64, 2, 5], b = f32 [64, 2, 5], c = f16 "
                    + "[64, 2, 5], d = f32 [64, 2, 5], e = f32 [8192]; shapes in ggml order, ne[0] first)", assertThrows(IllegalArgumentException.class,
                    () -> ops.gatedLinearAttention(k, k, half, k, state, 1f)).getMessage());
        }
    }
}
