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
 * ggml's WKV kernels against their definitions in double precision, 2 heads of 64 over 5 tokens from a random state,
 * with the final state after the outputs: RWKV-6's {@code rwkv_wkv6} (y_j = sum_i r_i (u_i k_i v_j + S_ij),
 * S_ij = w_i S_ij + k_i v_j) and RWKV-7's {@code rwkv_wkv7} (S_ij = S_ij w_j + v_i k_j + (sum_l S_il a_l) b_j,
 * y_i = sum_j S_ij r_j). Shapes that would make ggml assert, or overrun memory, are refused in words.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class RwkvOpsTest {
    private static final int S = 64;
    private static final int HEADS = 2;
    private static final int TOKENS = 5;
    private static final int C = S * HEADS;

    static Stream<String> backends() {
        return Backends.crossed(Stream.of("")).map(a -> (String) a.get()[0]);
    }

    @ParameterizedTest(name = "{0}: rwkv_wkv6, 2 heads of 64")
    @MethodSource("backends")
    void wkv6FollowsItsRecurrenceAndReturnsTheFinalState(String backendName) {
        RandomInputs random = RandomInputs.forCase("rwkv_wkv6");
        float[] k = random.uniform(C * TOKENS, -1, 1), v = random.uniform(C * TOKENS, -1, 1);
        float[] r = random.uniform(C * TOKENS, -1, 1), u = random.uniform(C, -1, 1);
        float[] w = random.uniform(C * TOKENS, 0.5, 1), state = random.uniform(S * C, -1, 1);
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor tk = ctx.newTensor(GgmlType.F32, S, HEADS, TOKENS), tv = ctx.newTensor(GgmlType.F32, S, HEADS,
                    TOKENS), tr = ctx.newTensor(GgmlType.F32, S, HEADS, TOKENS), tu = ctx.newTensor(GgmlType.F32, S,
                    HEADS), tw = ctx.newTensor(GgmlType.F32, S, HEADS, TOKENS), ts = ctx.newTensor(GgmlType.F32,
                    S * C, 1);
            ctx.allocate(backend);
            tk.setFloats(k);
            tv.setFloats(v);
            tr.setFloats(r);
            tu.setFloats(u);
            tw.setFloats(w);
            ts.setFloats(state);
            got = Backends.computeAndRead(backend, ctx, RwkvOps.of(ctx).wkv6(tk, tv, tr, tu, tw, ts));
        }
        double[] s = RandomInputs.widen(state);
        double[] expected = new double[C * TOKENS + S * C];
        for (int t = 0; t < TOKENS; t++) {
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < S; i++) {
                    int ki = t * C + h * S + i;
                    for (int j = 0; j < S; j++) {
                        int at = h * S * S + i * S + j;
                        double kv = (double) k[ki] * v[t * C + h * S + j];
                        expected[t * C + h * S + j] += r[ki] * (u[h * S + i] * kv + s[at]);
                        s[at] = w[ki] * s[at] + kv;
                    }
                }
            }
        }
        System.arraycopy(s, 0, expected, C * TOKENS, s.length);
        // sums of 64 products of values below 1, compounded over 5 steps
        Compare.assertClose("rwkv_wkv6", expected, got, new Compare.Tolerance(2e-5, 2e-5));
    }

    @ParameterizedTest(name = "{0}: rwkv_wkv7, 2 heads of 64")
    @MethodSource("backends")
    void wkv7FollowsTheDeltaRuleAndReturnsTheFinalState(String backendName) {
        RandomInputs random = RandomInputs.forCase("rwkv_wkv7");
        float[] r = random.uniform(C * TOKENS, -1, 1), w = random.uniform(C * TOKENS, 0.5, 1);
        float[] k = random.uniform(C * TOKENS, -1, 1), v = random.uniform(C * TOKENS, -1, 1);
        float[] a = random.uniform(C * TOKENS, -0.2, 0.2), b = random.uniform(C * TOKENS, -0.2, 0.2);
        float[] state = random.uniform(S * C, -1, 1);
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor[] in = new Tensor[6];
            for (int n = 0; n < 6; n++) {
                in[n] = ctx.newTensor(GgmlType.F32, S, HEADS, TOKENS);
            }
            Tensor ts = ctx.newTensor(GgmlType.F32, S * C, 1);
            ctx.allocate(backend);
            float[][] values = {r, w, k, v, a, b};
            for (int n = 0; n < 6; n++) {
                in[n].setFloats(values[n]);
            }
            ts.setFloats(state);
            got = Backends.computeAndRead(backend, ctx, RwkvOps.of(ctx).wkv7(in[0], in[1], in[2], in[3], in[4], in[5],
                    ts));
        }
        double[] s = RandomInputs.widen(state);
        double[] expected = new double[C * TOKENS + S * C];
        for (int t = 0; t < TOKENS; t++) {
            for (int h = 0; h < HEADS; h++) {
                int base = t * C + h * S;
                for (int i = 0; i < S; i++) {
                    double sa = 0;
                    for (int j = 0; j < S; j++) {
                        sa += a[base + j] * s[h * S * S + i * S + j];
                    }
                    double y = 0;
                    for (int j = 0; j < S; j++) {
                        int at = h * S * S + i * S + j;
                        s[at] = s[at] * w[base + j] + (double) v[base + i] * k[base + j] + sa * b[base + j];
                        y += s[at] * r[base + j];
                    }
                    expected[base + i] = y;
                }
            }
        }
        System.arraycopy(s, 0, expected, C * TOKENS, s.length);
        Compare.assertClose("rwkv_wkv7", expected, got, new Compare.Tolerance(2e-5, 2e-5));
    }

    @AfterEach
    void jvmStillComputes() {
        StillComputes.assertStillComputes();
    }

    @Test
    void shapesGgmlWouldAssertOnAreRefusedInWords() {
        try (Context ctx = Context.create(16)) {
            RwkvOps ops = RwkvOps.of(ctx);
            Tensor k = ctx.newTensor(GgmlType.F32, 64, 2, 5);
            Tensor shortV = ctx.newTensor(GgmlType.F32, 64, 2, 4);
            Tensor u = ctx.newTensor(GgmlType.F32, 64, 2);
            Tensor state = ctx.newTensor(GgmlType.F32, 64 * 128, 1);
            assertEquals("rwkv_wkv6: v, r and decay must have k's shape [headSize, heads, tokens] (a = f32 [64, 2, 5], "
                    + "b = f32 [64, 2, 4], c = f32 [64, 2, 5], d = f32 [64, 2], e = f32 [64, 2, 5], f = f32 [8192]; "
                    + "shapes in ggml order, ne[0] first)", assertThrows(IllegalArgumentException.class,
                    () -> ops.wkv6(k, shortV, k, u, k, state)).getMessage());
            Tensor small = ctx.newTensor(GgmlType.F32, 16, 8, 5);
            Tensor smallState = ctx.newTensor(GgmlType.F32, 16 * 128, 1);
            assertEquals("rwkv_wkv7: the head size (k.ne[0]) must be 64 or 128, got 16: ggml's WKV kernels are "
                    + "written for those (CUDA asserts it, the vectorised CPU kernel steps 64 at a time) (a = f32 "
                    + "[16, 8, 5], b = f32 [16, 8, 5], c = f32 [16, 8, 5], d = f32 [16, 8, 5], e = f32 [16, 8, 5], "
                    + "f = f32 [16, 8, 5], g = f32 [2048]; shapes in ggml order, ne[0] first)",
                    assertThrows(IllegalArgumentException.class,
                            () -> ops.wkv7(small, small, small, small, small, small, smallState)).getMessage());
            Tensor twoSequences = ctx.newTensor(GgmlType.F32, 64 * 64, 2, 2);
            assertEquals("rwkv_wkv7: state must be 2-d [headSize x headSize x heads, sequences] (a = f32 [64, 2, 5], "
                    + "b = f32 [64, 2, 5], c = f32 [64, 2, 5], d = f32 [64, 2, 5], e = f32 [64, 2, 5], f = f32 "
                    + "[64, 2, 5], g = f32 [4096, 2, 2]; shapes in ggml order, ne[0] first)",
                    assertThrows(IllegalArgumentException.class,
                            () -> ops.wkv7(k, k, k, k, k, k, twoSequences)).getMessage());
        }
    }
}
