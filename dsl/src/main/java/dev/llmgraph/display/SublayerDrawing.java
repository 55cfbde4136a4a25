package dev.llmgraph.display;

import dev.llmgraph.display.DiagramCanvas.Kind;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;

/**
 * The insides of the two sublayers of a block: attention (how query heads share K/V heads, the
 * projections, where RoPE rotates q and k, where ALiBi or T5 add their bias, the mask, softmax) and the FFN
 * (plain or gated, with its activation). Each method draws into a {@link DiagramCanvas} and returns the
 * bottom edge of what it drew.
 */
final class SublayerDrawing {
    static final double CHIP_W = 84;
    private static final double GAP = 8;

    private SublayerDrawing() {}

    /** The attention sublayer as a frame of width {@code w} at ({@code x}, {@code y}). */
    static double attention(DiagramCanvas c, ModelSpec s, Attention a, double x, double y, double w) {
        double c1 = x + 62, c2 = x + w / 2, c3 = x + w - 62;
        double mid = (c1 + c2) / 2, spanW = c2 - c1 + CHIP_W;

        double cy = heads(c, a, !s.encoder(), x + 16, y + 44, w - 32) + 10;
        String bias = a.qkvBias() ? " + b" : "";
        double qBottom = c.chip("attn_q_proj", Kind.ATTENTION, c1, cy, CHIP_W, "W_q" + bias);
        c.chip("attn_k_proj", Kind.ATTENTION, c2, cy, CHIP_W, "W_k" + bias);
        double vBottom = c.chip("attn_v_proj", Kind.ATTENTION, c3, cy, CHIP_W, "W_v" + bias);
        if (a.qkNorm().present()) {
            qBottom = pair(c, "q_norm", "k_norm", Kind.NORM, c1, c2, qBottom,
                    a.qkNorm() == dev.llmgraph.spec.QkNorm.WHOLE_WIDTH ? "RMSNorm (all heads)" : "RMSNorm");
        }
        if (s.positional().rotatesQueriesAndKeys()) {
            qBottom = pair(c, "rope_q", "rope_k", Kind.POSITIONAL, c1, c2, qBottom, "RoPE");
        }
        double top = qBottom + GAP + 2;
        c.arrow(c1, qBottom, c1, top);
        c.arrow(c2, qBottom, c2, top);
        String scale = a.softmaxScale() > 0 ? "× " + Format.decimal(a.softmaxScale()) : "/ √" + a.headDim(s.dModel());
        double bottom = c.chip("scores", Kind.ATTENTION, mid, top, spanW, "q·kᵀ " + scale);
        if (a.logitSoftcap() > 0) {
            String cap = Format.decimal(a.logitSoftcap());
            bottom = next(c, "softcap", Kind.MASK, mid, bottom, spanW, "soft cap " + cap + "·tanh(x/" + cap + ")");
        }
        switch (s.positional()) {
            case Positional.Alibi alibi -> bottom = next(c, "pos_bias", Kind.POSITIONAL, mid, bottom, spanW,
                    "+ ALiBi bias −m_h·(q−k)");
            case Positional.T5Bias t5 -> bottom = next(c, "pos_bias", Kind.POSITIONAL, mid, bottom, spanW,
                    "+ T5 bias per head, " + t5.buckets() + " buckets");
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _ -> { } // none
        }
        bottom = next(c, "mask", Kind.MASK, mid, bottom, spanW, maskLabel(s));
        bottom = next(c, "softmax", Kind.ATTENTION, mid, bottom, spanW, "softmax");
        double weighted = bottom + GAP + 2;
        c.arrow(mid, bottom, mid, weighted);
        c.arrow(c3, vBottom, c3, weighted);
        bottom = c.chip("weighted_values", Kind.ATTENTION, c2, weighted, c3 - c1 + CHIP_W, "weights × V, heads merged");
        bottom = next(c, "attn_out_proj", Kind.ATTENTION, c2, bottom, CHIP_W, "W_o" + (a.outBias() ? " + b" : ""));
        double end = bottom + 10;
        c.frame("attention", Kind.ATTENTION, x, y, w, end - y, "attention · " + a.variant(),
                a.heads() + " query heads · " + a.kvHeads() + " K/V heads · headDim " + a.headDim(s.dModel()),
                SpecFacts.attention(a));
        return end;
    }

    /**
     * Query heads above, K/V heads below, each query head joined to the K/V head it reads (head h uses K/V
     * head h / (heads / kvHeads), as ggml broadcasts them). Returns the panel's bottom edge.
     */
    static double heads(DiagramCanvas c, Attention a, boolean cached, double x, double y, double w) {
        int heads = a.heads(), kvHeads = a.kvHeads(), group = heads / kvHeads;
        double spacing = w / heads;
        double radius = Math.max(1.2, Math.min(5, spacing * 0.35));
        double qy = y + 18, kvTop = qy + 34, kvHeight = 10;
        double kvWidth = Math.max(2, Math.min(26, spacing * group * 0.7));
        c.note("q_heads_label", "query heads (" + heads + ")", x, y + 7, "start");
        for (int h = 0; h < heads; h++) {
            int kv = h / group;
            double qx = x + spacing * (h + 0.5);
            double kvx = kvCentre(x, spacing, group, kv);
            c.front.empty("line", "class", "share", "data-head", h, "data-kv", kv, "x1", qx, "y1", qy + radius,
                    "x2", kvx, "y2", kvTop, "stroke", Kind.ATTENTION.stroke, "stroke-width", 0.8);
            c.front.empty("circle", "class", "q-head", "data-head", h, "data-kv", kv, "cx", qx, "cy", qy,
                    "r", radius, "fill", Kind.ATTENTION.stroke);
        }
        for (int kv = 0; kv < kvHeads; kv++) {
            double kvx = kvCentre(x, spacing, group, kv);
            c.front.empty("rect", "class", "kv-head", "data-kv", kv, "x", kvx - kvWidth / 2, "y", kvTop,
                    "width", kvWidth, "height", kvHeight, "fill", "#ffffff", "stroke", Kind.ATTENTION.stroke,
                    "stroke-width", 1.0);
        }
        // an encoder reads its tokens in one pass and keeps no K/V for later tokens
        String kvLabel = "K/V heads (" + kvHeads + (cached ? ", in the KV cache)" : ")")
                + (a.variant().equals("GQA") ? ", " + group + " query heads per group" : "");
        c.note("kv_heads_label", kvLabel, x, kvTop + kvHeight + 13, "start");
        return kvTop + kvHeight + 16;
    }

    /** The centre of K/V head {@code kv}: the middle of the query heads of its group. */
    static double kvCentre(double x, double spacing, int group, int kv) {
        return x + spacing * (kv * group + group / 2.0);
    }

    /** The FFN sublayer as a frame of width {@code w} at ({@code x}, {@code y}). */
    static double ffn(DiagramCanvas c, ModelSpec s, Ffn f, double x, double y, double w) {
        double c1 = x + 62, c2 = x + w / 2, c3 = x + w - 62;
        String bias = f.bias() ? " + b" : "";
        double top = y + 42, bottom;
        if (f.gated()) {
            double gate = c.chip("ffn_gate_proj", Kind.FFN, c1, top, CHIP_W, "W_gate" + bias);
            double up = c.chip("ffn_up_proj", Kind.FFN, c3, top, CHIP_W, "W_up" + bias);
            double act = next(c, "ffn_act", Kind.FFN, c1, gate, CHIP_W, activationName(f.activation()));
            double product = act + GAP + 2;
            c.arrow(c1, act, c2 - 14, product);
            c.arrow(c3, up, c2 + 14, product);
            bottom = c.chip("ffn_product", Kind.FFN, c2, product, 44, "⊙");
        } else {
            bottom = c.chip("ffn_up_proj", Kind.FFN, c2, top, CHIP_W, "W_up" + bias);
            bottom = next(c, "ffn_act", Kind.FFN, c2, bottom, CHIP_W, activationName(f.activation()));
        }
        bottom = next(c, "ffn_down_proj", Kind.FFN, c2, bottom, CHIP_W, "W_down" + bias);
        double end = bottom + 10;
        c.frame("ffn", Kind.FFN, x, y, w, end - y, "FFN · " + SpecFacts.ffnName(f),
                "dModel " + s.dModel() + " → " + f.width() + " → " + s.dModel(), f.toString());
        return end;
    }

    /** A mixture of experts: the router, top-k, the chosen experts (and the shared ones), the weighted sum. */
    static double experts(DiagramCanvas c, ModelSpec s, dev.llmgraph.spec.Moe m, double x, double y, double w) {
        double cx = x + w / 2;
        double bottom = c.chip("moe_router", Kind.FFN, cx, y + 42, CHIP_W + 40, "router W_r · " + m.router());
        bottom = next(c, "moe_topk", Kind.FFN, cx, bottom, CHIP_W + 40, "top-" + m.expertsPerToken() + " of "
                + m.experts());
        bottom = next(c, "moe_experts", Kind.FFN, cx, bottom, CHIP_W + 40, m.expertsPerToken() + " × "
                + SpecFacts.ffnName(m.expert()));
        if (m.shared().present()) {
            bottom = next(c, "moe_shared", Kind.FFN, cx, bottom, CHIP_W + 40, "+ shared " + m.shared());
        }
        bottom = next(c, "moe_sum", Kind.FFN, cx, bottom, CHIP_W + 40, "Σ weights · outputs");
        double end = bottom + 10;
        c.frame("ffn", Kind.FFN, x, y, w, end - y, "MoE · " + m.experts() + " experts, " + m.expertsPerToken()
                + " per token", "dModel " + s.dModel() + " → " + m.expert().width() + " → " + s.dModel(), m.toString());
        return end;
    }

    /** Latent attention (MLA): the latent and shared RoPE key that are cached, absorbed queries, W_UV, W_o. */
    static double latent(DiagramCanvas c, ModelSpec s, dev.llmgraph.spec.LatentAttention l, double x, double y,
                         double w) {
        double cx = x + w / 2, cw = CHIP_W + 90;
        String q = l.queryRank() > 0 ? "W_DQ → RMSNorm → W_UQ (rank " + l.queryRank() + ")" : "W_q";
        double bottom = c.chip("mla_q", Kind.ATTENTION, cx, y + 42, cw, "q: " + q + ", RoPE on " + l.ropeHeadDim());
        bottom = next(c, "mla_latent", Kind.ATTENTION, cx, bottom, cw, "cache: c_KV [" + l.kvRank() + "] + k_R ["
                + l.ropeHeadDim() + "]");
        bottom = next(c, "mla_absorb", Kind.ATTENTION, cx, bottom, cw, "q absorbed by W_UK: MQA over the latent");
        bottom = next(c, "mask", Kind.MASK, cx, bottom, cw, maskLabel(s));
        bottom = next(c, "softmax", Kind.ATTENTION, cx, bottom, cw, "softmax");
        bottom = next(c, "mla_values", Kind.ATTENTION, cx, bottom, cw, "weights × c_KV, then W_UV per head");
        bottom = next(c, "attn_out_proj", Kind.ATTENTION, cx, bottom, CHIP_W, "W_o");
        double end = bottom + 10;
        c.frame("attention", Kind.ATTENTION, x, y, w, end - y, "attention · MLA", l.heads() + " heads · cache "
                + l.cacheRow() + " values per token", l.toString());
        return end;
    }

    /** A selective state space (Mamba, Mamba-2): in-projection, causal convolution, the scan, the gate, W_out. */
    static double ssm(DiagramCanvas c, ModelSpec s, dev.llmgraph.spec.StateSpace m, double x, double y, double w) {
        double cx = x + w / 2, cw = CHIP_W + 90;
        String[] labels = switch (m) {
            case dev.llmgraph.spec.Ssm mamba -> new String[] {"W_in → u | z [" + mamba.innerDim() + "] each",
                    "causal conv1d (width " + mamba.convWidth() + "), SiLU", "W_x → dt [" + mamba.dtRank()
                    + "] | B | C [" + mamba.stateDim() + "]", "h ← exp(dt A) h + dt B u,  y = C h + D u",
                    "y · SiLU(z)", "Mamba · selective scan"};
            case dev.llmgraph.spec.Mamba2 mamba2 -> new String[] {"W_in → z | xBC | dt [" + mamba2.heads()
                    + " heads]", "causal conv1d over xBC (width " + mamba2.convWidth() + "), SiLU", "x ["
                    + mamba2.headDim() + " × " + mamba2.heads() + "] | B | C [" + mamba2.stateDim() + " × "
                    + mamba2.groups() + "]", "H ← exp(dt A_h) H + dt B x,  y = C H + D x",
                    "GroupRMSNorm(y · SiLU(z))", "Mamba-2 · selective scan"};
        };
        double bottom = c.chip("ssm_in", Kind.ATTENTION, cx, y + 42, cw, labels[0]);
        bottom = next(c, "ssm_conv", Kind.ATTENTION, cx, bottom, cw, labels[1]);
        bottom = next(c, "ssm_select", Kind.ATTENTION, cx, bottom, cw, labels[2]);
        bottom = next(c, "ssm_scan", Kind.ATTENTION, cx, bottom, cw, labels[3]);
        bottom = next(c, "ssm_gate", Kind.ATTENTION, cx, bottom, cw, labels[4]);
        bottom = next(c, "ssm_out_proj", Kind.ATTENTION, cx, bottom, CHIP_W, "W_out");
        double end = bottom + 10;
        c.frame("attention", Kind.ATTENTION, x, y, w, end - y, labels[5], "state " + m.stateElements()
                + " values per layer, any context", m.toString());
        return end;
    }

    static String activationName(Activation a) {
        return switch (a) {
            case RELU -> "ReLU";
            case GELU -> "GELU";
            case GELU_TANH -> "GELU (tanh)";
            case SILU -> "SiLU";
            case IDENTITY -> "identity";
        };
    }

    static String maskLabel(ModelSpec s) {
        SlidingWindow window = s.attention().window();
        String base = switch (s.mask()) {
            case CAUSAL -> "causal";
            case PREFIX -> "prefix";
            case BIDIRECTIONAL -> "bidirectional";
            case SLIDING -> "sliding-window";
        };
        if (window == null) {
            return "+ " + base + " mask";
        }
        return window.globalEvery() == 0 ? "+ sliding-window mask, W " + window.size()
                : "+ sliding (W " + window.size() + ") / " + base + " mask";
    }

    /** RoPE's settings in one line: base, rotated share of each head, scaling. */
    static String ropeNote(Positional.Rope rope, int headDim) {
        int rotated = rope.rotatedDims(headDim);
        String note = "θ " + Format.decimal(rope.theta());
        if (rotated != headDim) {
            note += " · " + rotated + " of " + headDim + " dims";
        }
        return switch (rope.scaling()) {
            case RopeScaling.None _ -> note;
            // its factor ranges are too long for a chip
            case RopeScaling.LongRope longRope -> note + " · LongRoPE from " + longRope.trainedContext();
            case RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Yarn _, RopeScaling.Llama3 _ ->
                    note + " · " + rope.scaling();
        };
    }

    /** Two chips side by side under the q and k columns, joined to what is above them. */
    private static double pair(DiagramCanvas c, String left, String right, Kind kind, double c1, double c2,
                               double above, String label) {
        double top = above + GAP;
        c.arrow(c1, above, c1, top);
        c.arrow(c2, above, c2, top);
        c.chip(left, kind, c1, top, CHIP_W, label);
        return c.chip(right, kind, c2, top, CHIP_W, label);
    }

    /** The next chip of a vertical chain, with an arrow from the one above. */
    static double next(DiagramCanvas c, String node, Kind kind, double cx, double above, double w,
                               String label) {
        double top = above + GAP;
        c.arrow(cx, above, cx, top);
        return c.chip(node, kind, cx, top, w, label);
    }
}
