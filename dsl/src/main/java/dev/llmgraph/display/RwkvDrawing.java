package dev.llmgraph.display;

import dev.llmgraph.display.DiagramCanvas.Kind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.RwkvChannelMix;

import static dev.llmgraph.display.SublayerDrawing.CHIP_W;
import static dev.llmgraph.display.SublayerDrawing.next;

/** RWKV's time mixing and channel mixing as frames of chips, in the block drawing. */
final class RwkvDrawing {
    private RwkvDrawing() {}

    /** Token shift, r k v (w), the WKV recurrence, the group norm and gate, W_o. */
    static double timeMix(DiagramCanvas c, ModelSpec s, Rwkv m, double x, double y, double w) {
        double cx = x + w / 2, cw = CHIP_W + 90;
        String[] labels = switch (m) {
            case Rwkv6 six -> new String[] {"token shift, lerps by a LoRA (rank " + six.mixRank() + ")",
                    "r, k, v, SiLU(g); w = exp(-exp(d + LoRA))", "S ← diag(w) S + kᵀv,  y = r (diag(u) kᵀv + S)",
                    "GroupNorm(y) · g", "RWKV-6 · time mix"};
            case Rwkv7 seven -> new String[] {"token shift, fixed lerps", "r, k, v, a, g; w = exp(-σ(...)/√e)",
                    "S ← S (diag(w) - kkᵀ(a·kk)) + vᵀk,  y = S r", "(GroupNorm(y) + bonus) · g",
                    "RWKV-7 · time mix"};
        };
        double bottom = c.chip("rwkv_shift", Kind.ATTENTION, cx, y + 42, cw, labels[0]);
        bottom = next(c, "rwkv_project", Kind.ATTENTION, cx, bottom, cw, labels[1]);
        bottom = next(c, "rwkv_wkv", Kind.ATTENTION, cx, bottom, cw, labels[2]);
        bottom = next(c, "rwkv_gate", Kind.ATTENTION, cx, bottom, cw, labels[3]);
        bottom = next(c, "rwkv_out_proj", Kind.ATTENTION, cx, bottom, CHIP_W, "W_o");
        double end = bottom + 10;
        c.frame("attention", Kind.ATTENTION, x, y, w, end - y, labels[4], m.heads(s.dModel()) + " heads of "
                + m.headSize() + " · state " + m.stateElements(s.dModel()) + " values per layer, any context",
                m.toString());
        return end;
    }

    /** Token shift, ReLU², W_value (and the receptance gate). */
    static double channelMix(DiagramCanvas c, ModelSpec s, RwkvChannelMix m, double x, double y, double w) {
        double cx = x + w / 2, cw = CHIP_W + 60;
        double bottom = c.chip("ffn_shift", Kind.FFN, cx, y + 42, cw, "token shift");
        bottom = next(c, "ffn_up_proj", Kind.FFN, cx, bottom, cw, "ReLU(W_k x_k)²");
        bottom = next(c, "ffn_down_proj", Kind.FFN, cx, bottom, cw, m.receptance() ? "σ(W_r x_r) · W_v k" : "W_v k");
        double end = bottom + 10;
        c.frame("ffn", Kind.FFN, x, y, w, end - y, "RWKV channel mix", "dModel " + s.dModel() + " → " + m.width()
                + " → " + s.dModel(), m.toString());
        return end;
    }
}
