package dev.llmgraph.ggml;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ggml's backward pass, op by op, against central finite differences of the loss: for each op a model's
 * lowering uses, a parameter x of a few elements goes through the op, the loss is {@code sum(op(x) * r)}
 * with fixed random r (so that no symmetry, such as a softmax row summing to 1, hides a wrong gradient),
 * and every element of x's gradient must equal {@code (L(x + h) - L(x - h)) / 2h}, h = 1e-2, within 1e-2 of
 * the largest gradient (f32 losses of order 1: the difference quotient is good to about 1e-3).
 */
class GradientCheckTest {
    private static final float H = 1e-2f;
    private static final double TOLERANCE = 1e-2;

    /** An op applied to the parameter x, with whatever constants it needs, made in the data context. */
    record Case(String name, long[] xShape, boolean positive, Function<Env, Tensor> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Where a case builds: the graph's context, a data context for constants, and x. */
    record Env(Context ctx, Context data, Tensor x, List<Runnable> fills, Random random) {
        Tensor constant(long... ne) {
            Tensor t = data.newTensor(GgmlType.F32, ne);
            fills.add(() -> t.setFloats(values(random, (int) t.elementCount(), false)));
            return t;
        }

        Tensor ints(int... values) {
            Tensor t = data.newTensor(GgmlType.I32, values.length);
            fills.add(() -> t.setInts(values));
            return t;
        }

        Tensor floats(float[] values, long... ne) {
            Tensor t = data.newTensor(GgmlType.F32, ne);
            fills.add(() -> t.setFloats(values));
            return t;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("mul_mat, x as the weight", new long[] {4, 3}, false, e -> e.ctx().mulMat(e.x(), e.constant(4, 2))),
                new Case("mul_mat, x as the input", new long[] {4, 2}, false, e -> e.ctx().mulMat(e.constant(4, 3), e.x())),
                new Case("add, broadcast", new long[] {4, 3}, false, e -> e.ctx().add(e.x(), e.constant(4, 1))),
                new Case("mul, broadcast", new long[] {4, 3}, false, e -> e.ctx().mul(e.x(), e.constant(4, 1))),
                new Case("mul, x broadcast", new long[] {4, 1}, false, e -> e.ctx().mul(e.constant(4, 3), e.x())),
                new Case("rms_norm", new long[] {6, 2}, false, e -> e.ctx().rmsNorm(e.x(), 1e-5f)),
                new Case("silu", new long[] {5, 2}, false, e -> e.ctx().silu(e.x())),
                new Case("swiglu, x as the gate", new long[] {5, 2}, false, e -> e.ctx().glu(Glu.SWIGLU, e.x(), e.constant(5, 2))),
                new Case("swiglu, x as the up projection", new long[] {5, 2}, false, e -> e.ctx().glu(Glu.SWIGLU, e.constant(5, 2), e.x())),
                new Case("soft_max with causal mask and scale", new long[] {3, 3}, false, e -> e.ctx().attention().softMax(e.x(),
                        e.floats(new float[] {0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 0,
                                Float.NEGATIVE_INFINITY, 0, 0, 0}, 3, 3), 0.7f, 0f)),
                new Case("rope", new long[] {4, 2, 3}, false, e -> e.ctx().attention().rope(e.x(), e.ints(0, 1, 2), 4,
                        RopeMode.NORMAL, 0, 10_000f, 1f, Yarn.OFF)),
                new Case("rope, neox pairing", new long[] {4, 2, 3}, false, e -> e.ctx().attention().rope(e.x(), e.ints(3, 4, 5), 4,
                        RopeMode.NEOX, 0, 10_000f, 1f, Yarn.OFF)),
                new Case("get_rows", new long[] {3, 4}, false, e -> e.ctx().getRows(e.x(), e.ints(2, 0, 2))),
                new Case("scale", new long[] {4, 2}, false, e -> e.ctx().scale(e.x(), 0.5f)),
                new Case("permute + cont", new long[] {3, 2, 2}, false, e -> e.ctx().cont(e.ctx().permute(e.x(), 1, 0, 2, 3))),
                new Case("reshape", new long[] {6, 2}, false, e -> e.ctx().reshape(e.x(), 3, 4)),
                new Case("sqr", new long[] {4, 2}, false, e -> e.ctx().sqr(e.x())),
                new Case("sqrt", new long[] {4, 2}, true, e -> e.ctx().sqrt(e.x())),
                new Case("sum_rows", new long[] {4, 3}, false, e -> e.ctx().sumRows(e.x())),
                new Case("cross_entropy_loss", new long[] {5, 3}, false, e -> TrainingOps.of(e.ctx()).crossEntropyLoss(e.x(),
                        e.floats(new float[] {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 5, 3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardEqualsFiniteDifferences(Case c) {
        try (Backend cpu = Backend.cpu(1); Context data = Context.create(16); Context ctx = Context.create(512, 256)) {
            Random random = new Random(c.name().hashCode());
            Tensor x = data.newTensor(GgmlType.F32, c.xShape()).markParameter();
            Env env = new Env(ctx, data, x, new java.util.ArrayList<>(), random);
            Tensor out = c.op().apply(env);
            TrainingOps ops = TrainingOps.of(ctx);
            Tensor loss = out.elementCount() == 1 ? out
                    : ops.sum(ctx.mul(out, env.constant(out.ne(0), out.ne(1), out.ne(2), out.ne(3))));
            Graph graph = ctx.newTrainingGraph(256).expand(loss.markLoss());
            Gradients gradients = Gradients.build(graph);
            data.allocate(cpu);
            float[] xs = values(random, (int) x.elementCount(), c.positive());
            x.setFloats(xs);
            env.fills().forEach(Runnable::run);

            cpu.compute(graph, gradients);
            float[] backward = gradients.of(x).toFloats();
            double largest = 1;
            for (float g : backward) {
                largest = Math.max(largest, Math.abs(g));
            }
            for (int i = 0; i < xs.length; i++) {
                float kept = xs[i];
                xs[i] = kept + H;
                double up = lossAt(cpu, graph, gradients, x, xs, loss);
                xs[i] = kept - H;
                double down = lossAt(cpu, graph, gradients, x, xs, loss);
                xs[i] = kept;
                double numeric = (up - down) / (2 * H);
                assertEquals(numeric, backward[i], TOLERANCE * largest, c.name() + ": d loss / d x[" + i + "]");
            }
        }
    }

    private static double lossAt(Backend cpu, Graph graph, Gradients gradients, Tensor x, float[] xs, Tensor loss) {
        x.setFloats(xs);
        cpu.compute(graph, gradients);
        return loss.toFloats()[0];
    }

    static float[] values(Random random, int n, boolean positive) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = positive ? 0.5f + random.nextFloat() : random.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Test
    void adamwStepFollowsTheFormula() {
        float lr = 0.1f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, decay = 0.01f;
        try (Backend cpu = Backend.cpu(1); Context data = Context.create(8); Context ctx = Context.create(8, 8)) {
            Tensor w = data.newTensor(GgmlType.F32, 6).markParameter(), g = data.newTensor(GgmlType.F32, 6);
            Tensor m = data.newTensor(GgmlType.F32, 6), v = data.newTensor(GgmlType.F32, 6);
            Tensor p = data.newTensor(GgmlType.F32, TrainingOps.ADAMW_PARAMETERS);
            Graph graph = ctx.newGraph(8).expand(TrainingOps.of(ctx).adamwStep(w, g, m, v, p));
            data.allocate(cpu);
            Random random = new Random(7);
            float[] weights = values(random, 6, false);
            w.setFloats(weights);
            m.setFloats(new float[6]);
            v.setFloats(new float[6]);
            double[] expected = new double[6], mm = new double[6], vv = new double[6];
            for (int i = 0; i < 6; i++) {
                expected[i] = weights[i];
            }
            for (int step = 1; step <= 3; step++) {
                float[] grads = values(random, 6, false);
                g.setFloats(grads);
                double c1 = 1 / (1 - Math.pow(beta1, step)), c2 = 1 / (1 - Math.pow(beta2, step));
                p.setFloats(lr, beta1, beta2, eps, decay, (float) c1, (float) c2);
                cpu.compute(graph);
                for (int i = 0; i < 6; i++) { // AdamW (Loshchilov & Hutter), decoupled decay, in double precision
                    mm[i] = beta1 * mm[i] + (1 - beta1) * grads[i];
                    vv[i] = beta2 * vv[i] + (1 - beta2) * grads[i] * grads[i];
                    expected[i] = expected[i] * (1 - lr * decay) - lr * (mm[i] * c1) / (Math.sqrt(vv[i] * c2) + eps);
                }
                float[] actual = w.toFloats();
                for (int i = 0; i < 6; i++) {
                    assertEquals(expected[i], actual[i], 1e-5, "step " + step + ", weight " + i);
                }
            }
        }
    }

    @Test
    void refusesAnOpWithoutAGradientBeforeGgmlWouldAbort() {
        try (Context data = Context.create(4); Context ctx = Context.create(64, 64)) {
            Tensor x = data.newTensor(GgmlType.F32, 4, 2).markParameter();
            TrainingOps ops = TrainingOps.of(ctx);
            Graph graph = ctx.newTrainingGraph(64).expand(ops.sum(ctx.norm(x, 1e-5f).name("layer_norm")).markLoss());
            var e = assertThrows(UnsupportedOperationException.class, () -> Gradients.build(graph));
            assertEquals("backward: ggml has no gradient for NORM (node 'layer_norm'); build this part from ops that "
                    + "have one, or keep it out of the path from the parameters to the loss", e.getMessage());
        }
    }

    @Test
    void anOpOffThePathToTheParametersNeedsNoGradient() {
        try (Backend cpu = Backend.cpu(1); Context data = Context.create(4); Context ctx = Context.create(64, 64)) {
            Tensor x = data.newTensor(GgmlType.F32, 4).markParameter();
            Tensor c = data.newTensor(GgmlType.F32, 4);
            TrainingOps ops = TrainingOps.of(ctx);
            // gelu has no gradient in ggml, but only reads a constant here.
            Graph graph = ctx.newTrainingGraph(64).expand(ops.sum(ctx.mul(x, ctx.gelu(c))).markLoss());
            Gradients gradients = Gradients.build(graph);
            data.allocate(cpu);
            x.setFloats(1, 2, 3, 4);
            c.setFloats(1, 1, 1, 1);
            cpu.compute(graph, gradients);
            float gelu1 = 0.8413f; // gelu(1) = 1 * Phi(1)
            float[] g = gradients.of(x).toFloats();
            for (float v : g) {
                assertEquals(gelu1, v, 1e-3);
            }
        }
    }

    @Test
    void namesWhatIsMissing() {
        try (Context data = Context.create(4); Context ctx = Context.create(64, 64)) {
            Tensor x = data.newTensor(GgmlType.F32, 4);
            TrainingOps ops = TrainingOps.of(ctx);
            Graph noParameter = ctx.newTrainingGraph(16).expand(ops.sum(ctx.sqr(x)).markLoss());
            assertEquals("this graph has no trainable parameter; mark the weights to train with Tensor.markParameter() "
                            + "before expanding the graph",
                    assertThrows(IllegalArgumentException.class, () -> Gradients.build(noParameter)).getMessage());
            Graph plain = ctx.newGraph(16).expand(ctx.sqr(x));
            assertEquals("this graph has no room for gradients; make it with Context.newTrainingGraph(maxNodes)",
                    assertThrows(IllegalArgumentException.class, () -> Gradients.build(plain)).getMessage());
            var e = assertThrows(IllegalArgumentException.class, () -> ctx.sqr(x).markLoss());
            assertTrue(e.getMessage().startsWith("markLoss: the loss must be one f32 value; sum or average it first"),
                    e.getMessage());
        }
    }
}
