package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Glu;
import dev.llmgraph.ggml.SsmOps;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;

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
 *  u --ssm_x--> dt_low [r, T] | B [ds, T] | C [ds, T]        (Jamba: each RMSNorm-ed, times its gain)
 *  dt = ssm_dt dt_low + b_dt                                  [di, T]   (the scan applies the softplus)
 *  ssm_scan(scan state [ds, 1, di], u as [1, di, T], dt, A [ds, di], B, C) = y [di, T] | new scan state
 *  out = ssm_out ((y + D u) * SiLU(z))                        [d, T]
 * </pre>
 * Mamba-2 (H heads of hd = di / H, G groups, c = di + 2 G ds convolved channels):
 * <pre>
 *  x [d, T] --ssm_in--> z [di, T] | xBC [c, T] | dt [H, T]
 *  xBC = SiLU(ssm_conv([conv state | xBC^T]) + b)             x [hd, H, T] | B, C [ds, G, T]
 *  ssm_scan(scan state [ds, hd, H], x, dt + b_dt, A [1, H], B, C) = y [hd, H, T] | new scan state
 *  out = ssm_out GroupRMSNorm((y + D x) * SiLU(z))            RMSNorm over [di / G] per group, times its gain
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
    Tensor lower(int layer, StateSpace m, Tensor x) {
        return switch (m) {
            case Ssm mamba -> mamba(layer, mamba, x);
            case Mamba2 mamba2 -> mamba2(layer, mamba2, x);
        };
    }

    /**
     * The causal convolution of {@code columns} [c, T] over the layer's conv state, which it then advances:
     * SiLU(conv + bias) [c, T, 1], named {@code ssm_conv.layer}.
     */
    private Tensor convolve(int layer, StateSpace m, Tensor columns, String b) {
        long tokens = g.shape.tokens();
        Tensor convState = state.conv(layer);                                               // [dc-1, c, 1]
        Tensor sx = ctx.concat(convState, ctx.transpose(columns), 0);                        // [dc-1+T, c, 1]
        Tensor lastInputs = ctx.view(sx, new long[] {m.convWidth() - 1, m.convChannels(), 1},
                new long[] {sx.nb(1), sx.nb(2)}, tokens * sx.nb(0));
        g.graph.expand(ctx.cpy(lastInputs, convState));
        Tensor conv = ctx.add(ops.conv(sx, g.weights.get(b + "ssm_conv1d.weight")),
                g.weights.get(b + "ssm_conv1d.bias"));                                       // [c, T, 1]
        return g.name(ctx.silu(conv), "ssm_conv." + layer);
    }

    /** The scan's output y (its first [headDim x heads x T] values), after the final state is copied back. */
    private Tensor scan(int layer, Tensor x, Tensor dt, Tensor a, Tensor bMap, Tensor cMap) {
        Tensor scanState = state.scan(layer);
        Tensor scanned = ops.scan(scanState, x, dt, a, bMap, cMap, g.inputs.stateSlots());
        long yBytes = x.elementCount() * scanned.nb(0);
        Tensor newState = ctx.view(scanned, new long[] {scanState.elementCount()}, new long[] {}, yBytes);
        g.graph.expand(ctx.cpy(newState, scanState));
        return scanned;
    }

    private Tensor mamba2(int layer, Mamba2 m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        long di = m.innerDim(), ds = m.stateDim(), groups = m.groups(), heads = m.heads(), hd = m.headDim();
        long channels = m.convChannels(), tokens = g.shape.tokens();
        Tensor zxBCdt = g.linear(x, b + "ssm_in");                                          // [di + c + H, T]
        long row = zxBCdt.nb(1), f = zxBCdt.nb(0);
        Tensor z = ctx.view(zxBCdt, new long[] {di, tokens}, new long[] {row}, 0);
        Tensor xBC = ctx.view(zxBCdt, new long[] {channels, tokens}, new long[] {row}, di * f);
        Tensor dtRaw = ctx.view(zxBCdt, new long[] {heads, tokens, 1}, new long[] {row, row * tokens},
                (di + channels) * f);
        Tensor dt = g.name(ctx.add(ctx.cont(dtRaw), g.weights.get(b + "ssm_dt.bias")), "ssm_dt" + i); // [H, T, 1]

        Tensor conv = convolve(layer, m, xBC, b);                                           // [c, T, 1]
        long crow = conv.nb(1), cf = conv.nb(0);
        Tensor xs = ctx.view(conv, new long[] {hd, heads, tokens, 1}, new long[] {hd * cf, crow, crow * tokens}, 0);
        Tensor bMap = ctx.view(conv, new long[] {ds, groups, tokens, 1}, new long[] {ds * cf, crow, crow * tokens},
                di * cf);
        Tensor cMap = ctx.view(conv, new long[] {ds, groups, tokens, 1}, new long[] {ds * cf, crow, crow * tokens},
                (di + groups * ds) * cf);

        Tensor scanned = scan(layer, xs, dt, g.weights.get(b + "ssm_a"), bMap, cMap);
        Tensor y = ctx.view(scanned, new long[] {hd, heads, tokens, 1}, new long[] {hd * scanned.nb(0),
                di * scanned.nb(0), di * tokens * scanned.nb(0)}, 0);
        y = ctx.add(y, ctx.mul(xs, g.weights.get(b + "ssm_d")));                            // [hd, H, T, 1]
        y = g.name(ctx.reshape(y, di, tokens), "ssm_y" + i);
        Tensor gated = ctx.glu(Glu.SWIGLU, ctx.cont(z), y);                                 // y * SiLU(z)
        Tensor grouped = g.normWith(Norm.rms(g.spec.norm().eps()), ctx.reshape(gated, di / groups, groups, tokens),
                b + "ssm_norm");
        gated = g.name(ctx.reshape(grouped, di, tokens), "ssm_gated" + i);
        return g.name(g.linear(gated, b + "ssm_out"), "ssm_out" + i);                       // [d, T]
    }

    private Tensor mamba(int layer, Ssm m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        long di = m.innerDim(), ds = m.stateDim(), r = m.dtRank();
        long tokens = g.shape.tokens();
        Tensor uz = g.linear(x, b + "ssm_in");                                              // [2 di, T]
        Tensor u = ctx.view(uz, new long[] {di, tokens}, new long[] {uz.nb(1)}, 0);
        Tensor z = ctx.view(uz, new long[] {di, tokens}, new long[] {uz.nb(1)}, di * uz.nb(0));
        Tensor conv = convolve(layer, m, u, b);                                             // [di, T, 1]

        Tensor dtBC = g.linear(conv, b + "ssm_x");                                           // [r + 2 ds, T, 1]
        long row = dtBC.nb(1);
        Tensor dtLow = ctx.cont(ctx.view(dtBC, new long[] {r, tokens, 1}, new long[] {row, row * tokens}, 0));
        Tensor bMap = ctx.view(dtBC, new long[] {ds, 1, tokens, 1}, new long[] {ds * dtBC.nb(0), row, row * tokens},
                r * dtBC.nb(0));
        Tensor cMap = ctx.view(dtBC, new long[] {ds, 1, tokens, 1}, new long[] {ds * dtBC.nb(0), row, row * tokens},
                (r + ds) * dtBC.nb(0));
        if (m.dtBcNorm()) {
            // Jamba: RMSNorm over each token's dt_low, B and C, at the blocks' eps, as llama.cpp's mamba-base does.
            Norm rms = Norm.rms(g.spec.norm().eps());
            dtLow = g.normWith(rms, dtLow, b + "ssm_dt_norm");
            bMap = g.normWith(rms, ctx.cont(bMap), b + "ssm_b_norm");
            cMap = g.normWith(rms, ctx.cont(cMap), b + "ssm_c_norm");
        }
        Tensor dt = g.name(g.linear(dtLow, b + "ssm_dt"), "ssm_dt" + i);                     // with its bias

        Tensor scanned = scan(layer, ctx.reshape(conv, 1, di, tokens, 1), dt, g.weights.get(b + "ssm_a"), bMap, cMap);
        Tensor y = ctx.view(scanned, new long[] {di, tokens}, new long[] {di * scanned.nb(0)}, 0);
        y = g.name(ctx.add(y, ctx.mul(conv, g.weights.get(b + "ssm_d"))), "ssm_y" + i);     // [di, T]
        Tensor gated = g.name(ctx.glu(Glu.SWIGLU, ctx.cont(z), y), "ssm_gated" + i);       // y * SiLU(z)
        return g.name(g.linear(gated, b + "ssm_out"), "ssm_out" + i);                       // [d, T]
    }
}
