package dev.llmgraph.display;

import dev.llmgraph.display.DiagramCanvas.Kind;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.LinearDecay;
import dev.llmgraph.spec.ModelSpec;

import static dev.llmgraph.display.SublayerDrawing.CHIP_W;
import static dev.llmgraph.display.SublayerDrawing.next;

/** Linear attention as a frame of chips, in the block drawing. */
final class LinearAttentionDrawing {
    private LinearAttentionDrawing() {}

    /** phi(q), phi(k), v; the decay; the recurrence; the norm and gate; W_o. */
    static double mix(DiagramCanvas c, ModelSpec s, LinearAttention m, double x, double y, double w) {
        double cx = x + w / 2, cw = CHIP_W + 90;
        String phi = m.featureMap().formula();
        String decay = switch (m.decay()) {
            case LinearDecay.None _ -> "g = 1 (no decay)";
            case LinearDecay.Fixed f -> "g = " + f.schedule() + " per head";
            case LinearDecay.Gated g -> "g = σ(LoRA(x))^(1/" + g.temperature() + "), rank " + g.rank();
        };
        String after = (m.outputNorm() ? "SRMSNorm(o)" : "o") + (m.outputGate() ? " · SiLU(W_u x)" : "");
        double bottom = c.chip("linear_project", Kind.ATTENTION, cx, y + 42, cw, "q, k = φ(W x), φ = " + phi + "; v");
        bottom = next(c, "linear_decay", Kind.ATTENTION, cx, bottom, cw, decay);
        bottom = next(c, "linear_state", Kind.ATTENTION, cx, bottom, cw, "S ← diag(g) S + k vᵀ,  o = qᵀS / √d_h");
        bottom = next(c, "linear_gate", Kind.ATTENTION, cx, bottom, cw, after);
        bottom = next(c, "linear_out_proj", Kind.ATTENTION, cx, bottom, CHIP_W, "W_o");
        double end = bottom + 10;
        int hd = m.headDim(s.dModel());
        c.frame("attention", Kind.ATTENTION, x, y, w, end - y, "linear attention", m.heads() + " heads of " + hd
                + " · state " + m.stateElements(s.dModel()) + " values per layer, any context", m.toString());
        return end;
    }
}
