package dev.llmgraph.model;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Glu;
import dev.llmgraph.ggml.SsmOps;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Ssm;

/**
 * A selective state space layer (Mamba) over a batch of T tokens of one sequence, as llama.cpp's {@code mamba}
 * graph computes it, reading and writing the layer's {@link RecurrentState}.
 *
 * <p>Dimension legend (ggml order): d dModel, di innerDim (channels), ds stateDim, dc convWidth, r dtRank, T new
 * tokens.
 * <pre>
 *  x [d, T] --ssm_in--> u | z [di, T] each
 *  [conv state [dc-1, di] | u^T [T, di]] = sx [dc-1+T, di]    its last dc-1 columns become the new conv state
 *  u = SiLU(ssm_conv(sx, kernel [dc, di]) + b)                [di, T]
 *  u --ssm_x--> dt_low [r, T] | B [ds, T] | C [ds, T]
 *  dt = ssm_dt dt_low + b_dt                                  [di, T]   (the scan applies the softplus)
 *  ssm_scan(scan state [ds, 1, di], u as [1, di, T], dt, A [ds, di], B, C) = y [di, T] | new scan state
 *  out = ssm_out ((y + D u) * SiLU(z))                        [d, T]
 * </pre>
 */
final class SsmLowering {
    private final GraphBuilder g;
    private final Context ctx;
    private final SsmOps ops;
    private final RecurrentState state;

    SsmLowering(GraphBuilder g, RecurrentState state) {
        this.g = g;
        this.ctx = g.ctx;
        this.ops = SsmOps.of(g.ctx);
        this.state = state;
    }

    /** Layer {@code layer}'s mixer {@code m} over the normalised input {@code x} [d, T]; returns [d, T]. */
    Tensor lower(int layer, Ssm m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        long di = m.innerDim(), ds = m.stateDim(), r = m.dtRank();
        long tokens = g.shape.tokens();
        Tensor uz = g.linear(x, b + "ssm_in");                                              // [2 di, T]
        Tensor u = ctx.view(uz, new long[] {di, tokens}, new long[] {uz.nb(1)}, 0);
        Tensor z = ctx.view(uz, new long[] {di, tokens}, new long[] {uz.nb(1)}, di * uz.nb(0));

        Tensor convState = state.conv(layer);                                               // [dc-1, di, 1]
        Tensor sx = ctx.concat(convState, ctx.transpose(u), 0);                              // [dc-1+T, di, 1]
        Tensor lastInputs = ctx.view(sx, new long[] {m.convWidth() - 1, di, 1}, new long[] {sx.nb(1), sx.nb(2)},
                tokens * sx.nb(0));
        g.graph.expand(ctx.cpy(lastInputs, convState));
        Tensor conv = ctx.add(ops.conv(sx, g.weights.get(b + "ssm_conv1d.weight")),
                g.weights.get(b + "ssm_conv1d.bias"));                                       // [di, T, 1]
        conv = g.name(ctx.silu(conv), "ssm_conv" + i);

        Tensor dtBC = g.linear(conv, b + "ssm_x");                                           // [r + 2 ds, T, 1]
        long row = dtBC.nb(1);
        Tensor dtLow = ctx.cont(ctx.view(dtBC, new long[] {r, tokens, 1}, new long[] {row, row * tokens}, 0));
        Tensor bMap = ctx.view(dtBC, new long[] {ds, 1, tokens, 1}, new long[] {ds * dtBC.nb(0), row, row * tokens},
                r * dtBC.nb(0));
        Tensor cMap = ctx.view(dtBC, new long[] {ds, 1, tokens, 1}, new long[] {ds * dtBC.nb(0), row, row * tokens},
                (r + ds) * dtBC.nb(0));
        Tensor dt = g.name(g.linear(dtLow, b + "ssm_dt"), "ssm_dt" + i);                     // with its bias

        Tensor scanState = state.scan(layer);                                               // [ds, 1, di, 1]
        Tensor scanned = ops.scan(scanState, ctx.reshape(conv, 1, di, tokens, 1), dt, g.weights.get(b + "ssm_a"),
                bMap, cMap, g.inputs.stateSlots());
        long yBytes = di * tokens * scanned.nb(0);
        Tensor newState = ctx.view(scanned, new long[] {scanState.elementCount()}, new long[] {}, yBytes);
        g.graph.expand(ctx.cpy(newState, scanState));
        Tensor y = ctx.view(scanned, new long[] {di, tokens}, new long[] {di * scanned.nb(0)}, 0);
        y = g.name(ctx.add(y, ctx.mul(conv, g.weights.get(b + "ssm_d"))), "ssm_y" + i);     // [di, T]
        Tensor gated = g.name(ctx.glu(Glu.SWIGLU, ctx.cont(z), y), "ssm_gated" + i);       // y * SiLU(z)
        return g.name(g.linear(gated, b + "ssm_out"), "ssm_out" + i);                       // [d, T]
    }
}
