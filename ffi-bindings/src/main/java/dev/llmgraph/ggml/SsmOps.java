package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.SsmApi;

import static dev.llmgraph.ggml.Shapes.require;

/**
 * The two kernels a selective state space (Mamba) is built from: ggml's depthwise causal convolution
 * {@code ssm_conv} and selective scan {@code ssm_scan}. Every shape, stride and type rule they assert (in
 * {@code ggml.c} when the node is made and in the CPU kernel when it runs) is checked here first, in words.
 * Shapes in ggml order (ne[0] first).
 */
public final class SsmOps {
    private final Context ctx;

    private SsmOps(Context ctx) {
        this.ctx = ctx;
    }

    /** The state space ops of {@code ctx}. */
    public static SsmOps of(Context ctx) {
        return new SsmOps(ctx);
    }

    /**
     * The depthwise causal convolution: {@code sx} [convWidth - 1 + T, channels, sequences] (each channel's last
     * convWidth - 1 inputs, then the T new ones), {@code kernel} [convWidth, channels]; result [channels, T,
     * sequences], F32: out[c, t] = sum_k kernel[k, c] sx[t + k, c].
     */
    public Tensor conv(Tensor sx, Tensor kernel) {
        require(sx.rank() <= 3, "ssm_conv", "sx must be 3-d [convWidth - 1 + tokens, channels, sequences]", sx,
                kernel);
        require(kernel.rank() <= 2, "ssm_conv", "the kernel must be a matrix [convWidth, channels]", sx, kernel);
        require(sx.type() == GgmlType.F32 && kernel.type() == GgmlType.F32, "ssm_conv",
                "sx and the kernel must be f32", sx, kernel);
        require(sx.ne(1) == kernel.ne(1), "ssm_conv", "sx.ne[1] must equal kernel.ne[1] (one kernel per channel)",
                sx, kernel);
        require(sx.ne(0) >= kernel.ne(0) - 1, "ssm_conv", "sx.ne[0] must hold at least the convWidth - 1 = "
                + (kernel.ne(0) - 1) + " inputs of the state", sx, kernel);
        require(sx.nb(0) == 4 && kernel.nb(0) == 4 && sx.nb(1) == sx.ne(0) * 4, "ssm_conv",
                "the rows of sx and of the kernel must be contiguous", sx, kernel);
        return ctx.op(SsmApi.ggml_ssm_conv(ctx.handle(), ctx.p(sx), ctx.p(kernel)));
    }

    /**
     * One selective scan over T tokens of each sequence, Mamba-1 form (a decay per channel and state):
     * <pre>
     *  states [stateDim, headDim, heads, slots]   contiguous; slot ids[s] is sequence s's state before the batch
     *  x      [headDim, heads, T, sequences]      rows contiguous
     *  dt     [heads, T, sequences]               contiguous, before the softplus the kernel applies
     *  a      [stateDim, heads]                   contiguous (A &lt; 0)
     *  b, c   [stateDim, groups, T, sequences]    rows contiguous, same shape
     *  ids    i32 [sequences]
     * </pre>
     * Result: one f32 vector of y [headDim, heads, T, sequences] followed by the final states [stateDim, headDim,
     * heads, sequences].
     */
    public Tensor scan(Tensor states, Tensor x, Tensor dt, Tensor a, Tensor b, Tensor c, Tensor ids) {
        Tensor[] all = {states, x, dt, a, b, c, ids};
        for (Tensor t : new Tensor[] {states, x, dt, a, b, c}) {
            require(t.type() == GgmlType.F32, "ssm_scan", "states, x, dt, A, B and C must be f32", all);
        }
        require(states.isContiguous() && dt.isContiguous() && a.isContiguous(), "ssm_scan",
                "states, dt and A must be contiguous", all);
        require(x.nb(0) == 4 && b.nb(0) == 4 && c.nb(0) == 4 && x.nb(1) == x.ne(0) * 4 && b.nb(1) == b.ne(0) * 4
                && c.nb(1) == c.ne(0) * 4, "ssm_scan", "the first two dimensions of x, B and C must be contiguous",
                all);
        require(b.ne(0) == c.ne(0) && b.ne(1) == c.ne(1) && b.ne(2) == c.ne(2) && b.ne(3) == c.ne(3), "ssm_scan",
                "B and C must have the same shape", all);
        require(ids.type() == GgmlType.I32 && ids.rank() == 1 && ids.ne(0) == x.ne(3), "ssm_scan",
                "ids must be an i32 vector with one state slot per sequence (x.ne[3])", all);
        long heads = x.ne(1), tokens = x.ne(2), sequences = x.ne(3);
        require(dt.rank() <= 3 && dt.ne(0) == heads && dt.ne(1) == tokens && dt.ne(2) == sequences, "ssm_scan",
                "dt must be [heads, tokens, sequences] = [x.ne[1], x.ne[2], x.ne[3]]", all);
        require(states.ne(1) == x.ne(0) && states.ne(2) == heads, "ssm_scan",
                "states must be [stateDim, x.ne[0], x.ne[1], slots]", all);
        require(b.ne(0) == states.ne(0) && b.ne(2) == tokens && b.ne(3) == sequences, "ssm_scan",
                "B and C must be [stateDim = states.ne[0], groups, tokens, sequences]", all);
        require(b.ne(1) >= 1 && heads % b.ne(1) == 0, "ssm_scan", "the groups of B and C (ne[1]) must divide the "
                + "heads", all);
        require(a.rank() <= 2 && a.ne(1) == heads && (a.ne(0) == 1 || a.ne(0) == states.ne(0)), "ssm_scan",
                "A must be [stateDim, heads] (Mamba) or [1, heads] (Mamba-2)", all);
        require(states.ne(3) >= 1, "ssm_scan", "states must hold at least one slot", all);
        return ctx.op(SsmApi.ggml_ssm_scan(ctx.handle(), ctx.p(states), ctx.p(x), ctx.p(dt), ctx.p(a), ctx.p(b),
                ctx.p(c), ctx.p(ids), 1));
    }
}
