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
 * ggml's state space kernels against their definitions in double precision: the depthwise causal convolution
 * {@code ssm_conv} and Mamba's selective scan {@code ssm_scan} (h = exp(softplus(dt) A) h + softplus(dt) B x,
 * y = C.h), with the final state after the outputs. Shapes that would make ggml assert are refused in words.
 */
@Tag("gpu") // also run by bin/llmgraph check on a GPU server: its CUDA cases
class SsmOpsTest {
    private static final int CHANNELS = 12;
    private static final int WIDTH = 4;
    private static final int TOKENS = 5;
    private static final int STATES = 8;

    static Stream<String> backends() {
        return Backends.crossed(Stream.of("")).map(a -> (String) a.get()[0]);
    }

    @ParameterizedTest(name = "{0}: ssm_conv, " + CHANNELS + " channels of width " + WIDTH)
    @MethodSource("backends")
    void convolutionIsTheSlidingDotProductOfEachChannel(String backendName) {
        RandomInputs random = RandomInputs.forCase("ssm_conv");
        int length = WIDTH - 1 + TOKENS;
        float[] sx = random.uniform(length * CHANNELS, -2, 2);
        float[] kernel = random.uniform(WIDTH * CHANNELS, -1, 1);
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(4, Backends.GRAPH_NODES)) {
            Tensor tsx = ctx.newTensor(GgmlType.F32, length, CHANNELS, 1);
            Tensor tkernel = ctx.newTensor(GgmlType.F32, WIDTH, CHANNELS);
            ctx.allocate(backend);
            tsx.setFloats(sx);
            tkernel.setFloats(kernel);
            Tensor out = SsmOps.of(ctx).conv(tsx, tkernel);
            assertEquals(java.util.List.of(CHANNELS, TOKENS), java.util.List.of((int) out.ne(0), (int) out.ne(1)));
            got = Backends.computeAndRead(backend, ctx, out);
        }
        double[] expected = new double[CHANNELS * TOKENS];
        double[] allowed = new double[expected.length];
        for (int t = 0; t < TOKENS; t++) {
            for (int c = 0; c < CHANNELS; c++) {
                double sum = 0, magnitude = 0;
                for (int k = 0; k < WIDTH; k++) {
                    double term = (double) kernel[c * WIDTH + k] * sx[c * length + t + k];
                    sum += term;
                    magnitude += Math.abs(term);
                }
                expected[t * CHANNELS + c] = sum;
                allowed[t * CHANNELS + c] = 4 * 0x1p-24 * magnitude; // a float sum of 4 products
            }
        }
        Compare.assertClose("ssm_conv", expected, allowed, got);
    }

    @ParameterizedTest(name = "{0}: ssm_scan, Mamba-1 form")
    @MethodSource("backends")
    void scanFollowsTheRecurrenceAndReturnsTheFinalState(String backendName) {
        RandomInputs random = RandomInputs.forCase("ssm_scan");
        float[] state = random.uniform(STATES * CHANNELS, -1, 1);
        float[] x = random.uniform(CHANNELS * TOKENS, -2, 2);
        float[] dt = random.uniform(CHANNELS * TOKENS, -3, 1);
        float[] a = random.uniform(STATES * CHANNELS, -4, -0.1);
        float[] b = random.uniform(STATES * TOKENS, -1, 1);
        float[] c = random.uniform(STATES * TOKENS, -1, 1);
        float[] got;
        try (Backend backend = Backends.open(backendName); Context ctx = Context.create(8, Backends.GRAPH_NODES)) {
            Tensor ts = ctx.newTensor(GgmlType.F32, STATES, 1, CHANNELS, 1);
            Tensor tx = ctx.newTensor(GgmlType.F32, 1, CHANNELS, TOKENS, 1);
            Tensor tdt = ctx.newTensor(GgmlType.F32, CHANNELS, TOKENS, 1);
            Tensor ta = ctx.newTensor(GgmlType.F32, STATES, CHANNELS);
            Tensor tb = ctx.newTensor(GgmlType.F32, STATES, 1, TOKENS, 1);
            Tensor tc = ctx.newTensor(GgmlType.F32, STATES, 1, TOKENS, 1);
            Tensor ids = ctx.newTensor(GgmlType.I32, 1);
            ctx.allocate(backend);
            ts.setFloats(state);
            tx.setFloats(x);
            tdt.setFloats(dt);
            ta.setFloats(a);
            tb.setFloats(b);
            tc.setFloats(c);
            ids.setInts(0);
            got = Backends.computeAndRead(backend, ctx, SsmOps.of(ctx).scan(ts, tx, tdt, ta, tb, tc, ids));
        }
        double[] h = new double[STATES * CHANNELS];
        for (int i = 0; i < h.length; i++) {
            h[i] = state[i];
        }
        double[] expected = new double[CHANNELS * TOKENS + STATES * CHANNELS];
        for (int t = 0; t < TOKENS; t++) {
            for (int ch = 0; ch < CHANNELS; ch++) {
                double step = Math.log1p(Math.exp(dt[t * CHANNELS + ch]));
                double y = 0;
                for (int n = 0; n < STATES; n++) {
                    int i = ch * STATES + n;
                    h[i] = Math.exp(step * a[i]) * h[i] + step * b[t * STATES + n] * x[t * CHANNELS + ch];
                    y += c[t * STATES + n] * h[i];
                }
                expected[t * CHANNELS + ch] = y;
            }
        }
        System.arraycopy(h, 0, expected, CHANNELS * TOKENS, h.length);
        // expf, the softplus and sums of 8 products in float, compounded over 5 steps: about 1e-6 of the sizes here
        Compare.assertClose("ssm_scan", expected, got, new Compare.Tolerance(2e-5, 2e-5));
    }

    @AfterEach
    void jvmStillComputes() {
        StillComputes.assertStillComputes();
    }

    @Test
    void shapesGgmlWouldAssertOnAreRefusedInWords() {
        try (Context ctx = Context.create(16)) {
            SsmOps ops = SsmOps.of(ctx);
            Tensor sx = ctx.newTensor(GgmlType.F32, 7, 12, 1);
            Tensor narrow = ctx.newTensor(GgmlType.F32, 4, 10);
            assertEquals("ssm_conv: sx.ne[1] must equal kernel.ne[1] (one kernel per channel) (a = f32 [7, 12], "
                    + "b = f32 [4, 10]; shapes in ggml order, ne[0] first)",
                    assertThrows(IllegalArgumentException.class, () -> ops.conv(sx, narrow)).getMessage());
            Tensor s = ctx.newTensor(GgmlType.F32, 8, 1, 12, 1);
            Tensor x = ctx.newTensor(GgmlType.F32, 1, 12, 5, 1);
            Tensor dt = ctx.newTensor(GgmlType.F32, 12, 5, 1);
            Tensor a = ctx.newTensor(GgmlType.F32, 8, 12);
            Tensor b = ctx.newTensor(GgmlType.F32, 8, 1, 5, 1);
            Tensor c = ctx.newTensor(GgmlType.F32, 16, 1, 5, 1);
            Tensor ids = ctx.newTensor(GgmlType.I32, 1);
            assertEquals("ssm_scan: B and C must have the same shape (a = f32 [8, 1, 12], b = f32 [1, 12, 5], "
                    + "c = f32 [12, 5], d = f32 [8, 12], e = f32 [8, 1, 5], f = f32 [16, 1, 5], g = i32 [1]; shapes in "
                    + "ggml order, ne[0] first)",
                    assertThrows(IllegalArgumentException.class, () -> ops.scan(s, x, dt, a, b, c, ids)).getMessage());
            Tensor wrongA = ctx.newTensor(GgmlType.F32, 4, 12);
            assertEquals("ssm_scan: A must be [stateDim, heads] (Mamba) or [1, heads] (Mamba-2) (a = f32 [8, 1, 12], "
                    + "b = f32 [1, 12, 5], c = f32 [12, 5], d = f32 [4, 12], e = f32 [8, 1, 5], f = f32 [8, 1, 5], "
                    + "g = i32 [1]; shapes in ggml order, ne[0] first)",
                    assertThrows(IllegalArgumentException.class, () -> ops.scan(s, x, dt, wrongA, b, b, ids))
                            .getMessage());
        }
    }
}
