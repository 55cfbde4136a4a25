package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.TrainingOps;

/**
 * The ops a training graph needs that ggml has no gradient for, each rebuilt from ops that have one
 * ({@code Gradients.DIFFERENTIABLE}) and equal to ggml's fused op up to float rounding (tested against the
 * inference lowering). ggml's backward also does not sum a broadcast operand back for sub and div, so
 * every broadcast here is made explicit with a repeat.
 */
final class Differentiable {
    /** sqrt(2 / pi), the constant of GELU's tanh approximation. */
    private static final float GELU_SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float GELU_CUBIC = 0.044715f;

    private Differentiable() {}

    /** (x - mean) / sqrt(var + eps) over ne[0], as ggml_norm, from sum_rows, sub, sqr, sqrt and div. */
    static Tensor layerNorm(Context ctx, Tensor x, float eps) {
        TrainingOps ops = TrainingOps.of(ctx);
        float inverseWidth = 1f / x.ne(0);
        Tensor mean = ctx.scale(ctx.sumRows(x), inverseWidth);
        Tensor centered = ctx.sub(x, ops.repeat(mean, x.ne()));
        Tensor variance = ctx.scale(ctx.sumRows(ctx.sqr(centered)), inverseWidth);
        Tensor deviation = ctx.sqrt(ops.scaleBias(variance, 1f, eps));
        return ctx.div(centered, ops.repeat(deviation, x.ne()));
    }

    /**
     * 1 / (1 + e^-x) as exp(-softplus(-x)): no intermediate overflows for any f32 x (1 / (1 + e^-x) would
     * make e^-x infinite below -88 and its gradient infinity times zero).
     */
    static Tensor sigmoid(Context ctx, Tensor x) {
        TrainingOps ops = TrainingOps.of(ctx);
        return ops.exp(ctx.scale(ops.softplus(ctx.scale(x, -1f)), -1f));
    }

    /** tanh(x) = 2 sigmoid(2x) - 1. */
    static Tensor tanh(Context ctx, Tensor x) {
        return TrainingOps.of(ctx).scaleBias(sigmoid(ctx, ctx.scale(x, 2f)), 2f, -1f);
    }

    /**
     * GELU's tanh approximation, x (1 + tanh(u)) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3), written as
     * x sigmoid(2u), which is the same function.
     */
    static Tensor geluTanh(Context ctx, Tensor x) {
        Tensor cube = ctx.mul(ctx.sqr(x), x);
        Tensor inner = ctx.add(x, ctx.scale(cube, GELU_CUBIC));
        return ctx.mul(x, sigmoid(ctx, ctx.scale(inner, 2f * GELU_SQRT_2_OVER_PI)));
    }
}
