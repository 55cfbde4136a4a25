package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.GgmlApi;

import static dev.llmgraph.ggml.Shapes.require;

/**
 * ggml's {@code fill}: a new tensor of another's shape with one value everywhere. A mixture of experts uses it to
 * mask the experts of the groups a token does not keep (a tensor of minus infinity into which the kept groups'
 * scores are written back with {@code set_rows}), as llama.cpp's {@code build_moe_ffn} does. ggml asserts that the
 * input is f32 or f16 and contiguous, so both are checked here first.
 */
public final class FillOps {
    private final Context ctx;

    private FillOps(Context ctx) {
        this.ctx = ctx;
    }

    /** The fill op of {@code ctx}. */
    public static FillOps of(Context ctx) {
        return new FillOps(ctx);
    }

    /** A tensor shaped and typed like {@code like}, every element {@code value} (computed in the graph). */
    public Tensor fill(Tensor like, float value) {
        require(like.type() == GgmlType.F32 || like.type() == GgmlType.F16, "fill", "the tensor must be f32 or f16",
                like);
        require(like.isContiguous(), "fill", "the tensor must be contiguous; copy it with cont() first", like);
        return ctx.op(GgmlApi.ggml_fill(ctx.handle(), ctx.p(like), value));
    }
}
