package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.TensorStruct;
import dev.llmgraph.ggml.internal.TrainingApi;

import static dev.llmgraph.ggml.Shapes.require;

/**
 * The ops a training step adds to a model's graph: reducing to a loss, cross-entropy, the AdamW update of a
 * weight from its gradient, and the few element-wise ops from which a lowering builds what ggml cannot
 * differentiate directly (exp, softplus, an affine scale, an explicit broadcast). Each checks its
 * preconditions in Java (ggml aborts on a mismatch).
 */
public final class TrainingOps {
    /** Values in an AdamW parameter tensor, in ggml's order. */
    public static final int ADAMW_PARAMETERS = 7;

    private final Context ctx;

    private TrainingOps(Context ctx) {
        this.ctx = ctx;
    }

    public static TrainingOps of(Context ctx) {
        return new TrainingOps(ctx);
    }

    /** The sum of all elements, as one f32 value. */
    public Tensor sum(Tensor a) {
        require(a.type() == GgmlType.F32, "sum", "the input must be f32", a);
        return ctx.op(TrainingApi.ggml_sum(ctx.handle(), ctx.p(a)));
    }

    /** e^a, element-wise. */
    public Tensor exp(Tensor a) {
        require(a.type() == GgmlType.F32 && a.isContiguous(), "exp", "the input must be contiguous f32", a);
        return ctx.op(TrainingApi.ggml_exp(ctx.handle(), ctx.p(a)));
    }

    /** log(1 + e^a), element-wise (ggml switches to a itself above 20, where the two agree in f32). */
    public Tensor softplus(Tensor a) {
        require(a.type() == GgmlType.F32 && a.isContiguous(), "softplus", "the input must be contiguous f32", a);
        return ctx.op(TrainingApi.ggml_softplus(ctx.handle(), ctx.p(a)));
    }

    /** s * a + b, element-wise (the gradient is s times the incoming one). */
    public Tensor scaleBias(Tensor a, float s, float b) {
        require(a.type() == GgmlType.F32 && a.isContiguous(), "scale_bias", "the input must be contiguous f32", a);
        return ctx.op(TrainingApi.ggml_scale_bias(ctx.handle(), ctx.p(a), s, b));
    }

    /**
     * {@code a} tiled to the shape {@code ne} (up to 4 sizes, ggml order). ggml's backward sums a broadcast
     * operand back only for some ops (add, mul), not for sub or div: a lowering for training makes such
     * broadcasts explicit with this.
     */
    public Tensor repeat(Tensor a, long... ne) {
        require(a.type() == GgmlType.F32, "repeat", "the input must be f32", a);
        require(ne.length >= 1 && ne.length <= 4, "repeat", "the target shape must have 1 to 4 sizes", a);
        long[] target = {1, 1, 1, 1};
        System.arraycopy(ne, 0, target, 0, ne.length);
        for (int i = 0; i < 4; i++) {
            require(target[i] > 0 && target[i] % a.ne(i) == 0, "repeat",
                    "every size of the target " + java.util.Arrays.toString(ne) + " must be a multiple of the input's", a);
        }
        return ctx.op(TrainingApi.ggml_repeat_4d(ctx.handle(), ctx.p(a), target[0], target[1], target[2], target[3]));
    }

    /**
     * The mean over rows of {@code -sum(labels * log softmax(logits))}: logits and labels are [classes, rows]
     * f32, each label row a probability distribution (one-hot for next-token prediction). One f32 value.
     */
    public Tensor crossEntropyLoss(Tensor logits, Tensor labels) {
        require(logits.type() == GgmlType.F32 && labels.type() == GgmlType.F32, "cross_entropy_loss",
                "logits and labels must be f32", logits, labels);
        require(java.util.Arrays.equals(logits.ne(), labels.ne()), "cross_entropy_loss",
                "logits and labels must have the same shape", logits, labels);
        return ctx.op(TrainingApi.ggml_cross_entropy_loss(ctx.handle(), ctx.p(logits), ctx.p(labels)));
    }

    /**
     * One AdamW update of {@code weight} in place from {@code gradient}, with first and second moments
     * {@code m} and {@code v} (f32, the weight's shape, zero at the start) and {@code parameters}, an f32
     * tensor of 7 values set before each step: learning rate, beta1, beta2, epsilon, weight decay,
     * 1 / (1 - beta1^t) and 1 / (1 - beta2^t) for step t (from 1). Decay is decoupled (AdamW, not L2).
     */
    public Tensor adamwStep(Tensor weight, Tensor gradient, Tensor m, Tensor v, Tensor parameters) {
        require((TensorStruct.flags(weight.pointer()) & 4) != 0, "opt_step_adamw",
                "the weight must be trainable: mark it with Tensor.markParameter()", weight);
        require(weight.type() == GgmlType.F32 && gradient.type() == GgmlType.F32 && m.type() == GgmlType.F32
                && v.type() == GgmlType.F32, "opt_step_adamw", "weight, gradient and moments must be f32",
                weight, gradient, m, v);
        require(java.util.Arrays.equals(weight.ne(), gradient.ne()) && java.util.Arrays.equals(weight.ne(), m.ne())
                && java.util.Arrays.equals(weight.ne(), v.ne()), "opt_step_adamw",
                "gradient and moments must have the weight's shape", weight, gradient, m, v);
        require(parameters.type() == GgmlType.F32 && parameters.elementCount() == ADAMW_PARAMETERS,
                "opt_step_adamw", "the parameters must be 7 f32 values", parameters);
        return ctx.op(TrainingApi.ggml_opt_step_adamw(ctx.handle(), ctx.p(weight), ctx.p(gradient), ctx.p(m),
                ctx.p(v), ctx.p(parameters)));
    }
}
