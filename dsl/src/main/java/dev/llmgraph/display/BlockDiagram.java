package dev.llmgraph.display;

import dev.llmgraph.display.DiagramCanvas.Kind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;

import java.util.Map;

/**
 * A block diagram of a spec's choices, read top to bottom: token embedding (scale, embedding norm), where
 * positions enter, one Transformer block with its norms where the placement puts them, the attention and
 * FFN insides, "x layers", the final norm and the output head (tied or not), or an encoder's hidden states, pooled
 * vector and masked-LM head. The SVG is deterministic:
 * every element that stands for a graph node carries {@code data-node} with the node's name
 * ({@code attn_norm}, {@code attn_res}, {@code ffn}, ...), so the same spec always gives the same text.
 */
public final class BlockDiagram implements RichDisplay {
    static final double WIDTH = 720;
    private static final double TIE_X = 16, BLOCK_X = 30;
    static final double SKIP_X = 46;
    static final double MAIN_X = 70, MAIN_W = 330, CX = MAIN_X + MAIN_W / 2;
    static final double SIDE_X = 425, SIDE_W = 270, SIDE_CX = SIDE_X + SIDE_W / 2;
    static final double NORM_X = MAIN_X + 60, NORM_W = MAIN_W - 120;

    private final ModelSpec spec;
    private String svg;

    private BlockDiagram(ModelSpec spec) {
        this.spec = spec;
    }

    public static BlockDiagram of(ModelSpec spec) {
        return new BlockDiagram(spec);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The diagram as an SVG document. */
    public synchronized String svg() {
        if (svg == null) {
            svg = draw();
        }
        return svg;
    }

    @Override
    public Map<String, String> mimeBundle() {
        return SvgBundle.of(svg(), toString());
    }

    private String draw() {
        ModelSpec s = spec;
        DiagramCanvas c = new DiagramCanvas("arrow-" + s.name().replaceAll("[^A-Za-z0-9_-]", "_"));
        double y = 12;
        c.front.text("tokens  [T]", "data-node", "tokens", "x", CX, "y", y + 12, "text-anchor", "middle",
                "font-size", 12.0, "font-weight", "bold", "fill", DiagramCanvas.INK);
        y += 18;
        c.arrow(CX, y, CX, y + 16);
        y += 16;
        double embeddingMid = y + 20;
        String scale = s.embeddings().scale() != 1.0 ? " · × " + Format.decimal(s.embeddings().scale()) : "";
        y = c.box("tok_embd", Kind.EMBEDDING, MAIN_X, y, MAIN_W, 40, "token embedding",
                "[vocabSize " + s.vocabSize() + ", dModel " + s.dModel() + "]" + scale,
                s.embeddings().scale() != 1.0 ? "embeddings multiplied by " + s.embeddings().scale() : null);
        y = positions(c, y, embeddingMid);
        if (s.embeddings().tokenTypes() > 0) {
            c.line(CX, y, CX, y + 12); // room between the side boxes of the two tables
            y = addedTable(c, y + 12, "type", "token types (segments)",
                    "[tokenTypes " + s.embeddings().tokenTypes() + ", dModel " + s.dModel() + "]");
        }
        if (s.embeddings().layerNorm()) {
            c.arrow(CX, y, CX, y + 14);
            y = c.box("embd_norm", Kind.NORM, NORM_X, y + 14, NORM_W, 28, "embedding " + normName(s.norm()), null,
                    s.norm().toString());
        }
        c.arrow(CX, y, CX, y + 22);
        y = block(c, y + 22);
        c.arrow(CX, y, CX, y + 16);
        y += 16;
        if (s.finalNorm()) {
            y = c.box("out_norm", Kind.NORM, NORM_X, y, NORM_W, 28, "final " + normName(s.norm()), null,
                    s.norm().toString());
            c.arrow(CX, y, CX, y + 16);
            y += 16;
        }
        if (s.encoder()) {
            y = encoderOutput(c, y, embeddingMid);
            return c.document(WIDTH, y + 24, "Block diagram of " + s.name() + ". " + text());
        }
        double outputMid = y + 20;
        y = c.box("output", Kind.OUTPUT, MAIN_X, y, MAIN_W, 40, "output head", s.tiedEmbeddings()
                ? "tied: reuses the token embedding" : "[vocabSize " + s.vocabSize() + ", dModel " + s.dModel() + "]",
                null);
        if (s.tiedEmbeddings()) {
            tie(c, outputMid, embeddingMid);
        }
        if (s.finalLogitSoftcap() > 0) {
            String cap = Format.decimal(s.finalLogitSoftcap());
            c.note("logit_softcap", "logits soft-capped: " + cap + "·tanh(x/" + cap + ")", SIDE_X, outputMid + 4,
                    "start");
        }
        c.arrow(CX, y, CX, y + 16);
        y += 16;
        c.front.text("logits  [T, vocabSize]", "data-node", "logits", "x", CX, "y", y + 13, "text-anchor", "middle",
                "font-size", 12.0, "font-weight", "bold", "fill", DiagramCanvas.INK);
        return c.document(WIDTH, y + 24, "Block diagram of " + s.name() + ". " + text());
    }

    /** Where positions enter, next to the embedding: added for learned and sinusoidal tables, a note otherwise. */
    private double positions(DiagramCanvas c, double y, double embeddingMid) {
        ModelSpec s = spec;
        return switch (s.positional()) {
            case Positional.Learned l -> addedTable(c, y, "learned positions",
                    "[contextLength " + s.contextLength() + ", dModel " + s.dModel() + "]");
            case Positional.Sinusoidal t -> addedTable(c, y, "sinusoidal positions",
                    "fixed sin/cos table, no parameters");
            case Positional.None n -> positionsElsewhere(c, y, embeddingMid,
                    "NoPE: no positional encoding; only the mask orders tokens", null);
            case Positional.Rope rope -> positionsElsewhere(c, y, embeddingMid,
                    "RoPE: positions rotate q and k in every layer", SublayerDrawing.ropeNote(rope, s.headDim()));
            case Positional.Alibi a -> positionsElsewhere(c, y, embeddingMid,
                    "ALiBi: positions bias the attention logits", null);
            case Positional.T5Bias t -> positionsElsewhere(c, y, embeddingMid,
                    "T5: bucketed distance bias on the logits", null);
        };
    }

    /**
     * An encoder's outputs: the hidden states of every token, the pooled vector beside them, and BERT's masked-LM
     * head (dense, GELU, norm, then the token embedding as decoder) when the spec has one.
     */
    private double encoderOutput(DiagramCanvas c, double y, double embeddingMid) {
        ModelSpec s = spec;
        c.front.text("hidden states  [T, dModel]", "data-node", "hidden", "x", CX, "y", y + 13, "text-anchor",
                "middle", "font-size", 12.0, "font-weight", "bold", "fill", DiagramCanvas.INK);
        if (s.pooling().pools()) {
            c.arrow(CX + 100, y + 9, SIDE_X, y + 9);
            c.box("pooled", Kind.OUTPUT, SIDE_X, y - 11, SIDE_W, 40, s.pooling().toString(),
                    "one vector per sequence [dModel]", null);
        }
        if (!s.maskedLmHead()) {
            return y + 12;
        }
        y += 20;
        c.arrow(CX, y, CX, y + 16);
        y += 16;
        double headMid = y + 20;
        y = c.box("mlm", Kind.OUTPUT, MAIN_X, y, MAIN_W, 40, "masked-LM head",
                "dense, GELU, " + normName(s.norm()) + "; tied decoder + bias", null);
        tie(c, headMid, embeddingMid);
        c.arrow(CX, y, CX, y + 16);
        y += 16;
        c.front.text("logits  [T, vocabSize]", "data-node", "logits", "x", CX, "y", y + 13, "text-anchor", "middle",
                "font-size", 12.0, "font-weight", "bold", "fill", DiagramCanvas.INK);
        return y;
    }

    /** The dashed line from an output that reuses the token embedding back to it. */
    private static void tie(DiagramCanvas c, double outputMid, double embeddingMid) {
        c.path("tie", true, MAIN_X, outputMid, TIE_X, outputMid, TIE_X, embeddingMid, MAIN_X, embeddingMid);
        double mid = (outputMid + embeddingMid) / 2;
        c.front.text("same matrix", "x", TIE_X - 5, "y", mid, "text-anchor", "middle", "font-size", 10.0,
                "fill", DiagramCanvas.MUTED, "transform", "rotate(-90 " + SvgWriter.num(TIE_X - 5) + " "
                        + SvgWriter.num(mid) + ")");
    }

    /** A table added to the embeddings: its box beside the stream and the addition. */
    private double addedTable(DiagramCanvas c, double y, String title, String detail) {
        return addedTable(c, y, "pos", title, detail);
    }

    /** As above, its nodes named {@code node_add} and {@code node_embd}. */
    private double addedTable(DiagramCanvas c, double y, String node, String title, String detail) {
        c.arrow(CX, y, CX, y + 14);
        double addY = y + 24;
        c.add(node + "_add", CX, addY);
        c.box(node + "_embd", Kind.POSITIONAL, SIDE_X, addY - 20, SIDE_W, 40, title, detail, null);
        c.arrow(SIDE_X, addY, CX + 10, addY);
        return addY + 10;
    }

    /** Positions that enter inside the blocks: a note beside the embedding (and the scheme's settings, if any). */
    private double positionsElsewhere(DiagramCanvas c, double y, double embeddingMid, String note, String settings) {
        c.note("positional_note", note, SIDE_X, embeddingMid - 2, "start");
        if (settings != null) {
            c.note("rope_settings", settings, SIDE_X, embeddingMid + 12, "start");
        }
        return y;
    }

    /** The Transformer block frame around the steps of the first layer's plan; returns its bottom edge. */
    private double block(DiagramCanvas c, double top) {
        ModelSpec s = spec;
        double y = top + 34;
        c.line(CX, top, CX, y);
        y = new BlockDrawing(c, s).steps(s.plan().blocks().getFirst(), y);
        double bottom = y + 14;
        c.line(CX, y, CX, bottom);
        c.back.empty("rect", "data-node", "block", "class", "block", "x", BLOCK_X, "y", top,
                "width", WIDTH - BLOCK_X - 10, "height", bottom - top, "rx", 10.0, "fill", "#fafafa",
                "stroke", "#999999", "stroke-width", 1.2, "stroke-dasharray", "6,4");
        c.back.text("Transformer block", "x", BLOCK_X + 12, "y", top + 20, "font-size", 13.0, "font-weight", "bold",
                "fill", DiagramCanvas.INK);
        c.back.text("× " + s.layers() + " layers", "data-node", "layers", "x", WIDTH - 24, "y", top + 20,
                "text-anchor", "end", "font-size", 14.0, "font-weight", "bold", "fill", DiagramCanvas.INK);
        c.note("placement", s.placement() + "-norm" + (s.placement() == NormPlacement.DEEPNORM ? ", α = "
                + Format.decimal(s.placement().residualAlpha(s.layers())) : "")
                + (s.parallelBlock() ? ", parallel block" : ""), WIDTH - 24, top + 36, "end");
        return bottom;
    }

    /** The sublayer's update in the placement's form, e.g. {@code x = x + Attention(RMSNorm(x))}. */
    static String formula(ModelSpec spec, String sublayer) {
        String n = normName(spec.norm());
        return switch (spec.placement()) {
            case PRE -> "x = x + " + sublayer + "(" + n + "(x))";
            case POST -> "x = " + n + "(x + " + sublayer + "(x))";
            case SANDWICH -> "x = x + " + n + "(" + sublayer + "(" + n + "(x)))";
            case DEEPNORM -> "x = " + n + "(" + Format.decimal(spec.placement().residualAlpha(spec.layers())) + "·x + "
                    + sublayer + "(x))";
        };
    }

    static String parallelFormula(ModelSpec spec) {
        String n = normName(spec.norm());
        return spec.placement() == NormPlacement.PRE ? "x = x + Attention(" + n + "(x)) + FFN(" + n + "(x))"
                : "x = " + n + "(x + Attention(x) + FFN(x))";
    }

    static String normName(Norm norm) {
        return switch (norm) {
            case Norm.LayerNorm l -> "LayerNorm";
            case Norm.RmsNorm r -> "RMSNorm";
            case Norm.SimpleRmsNorm r -> "SimpleRMSNorm";
        };
    }

    /** The diagram in words: the plain-text form JShell prints. */
    String text() {
        ModelSpec s = spec;
        StringBuilder sb = new StringBuilder();
        sb.append("tokens -> token embedding [").append(s.vocabSize()).append(", ").append(s.dModel()).append(']');
        if (s.embeddings().scale() != 1.0) {
            sb.append(" x ").append(Format.decimal(s.embeddings().scale()));
        }
        switch (s.positional()) {
            case Positional.Learned l -> sb.append(" + learned positions [").append(s.contextLength()).append(", ")
                    .append(s.dModel()).append(']');
            case Positional.Sinusoidal t -> sb.append(" + sinusoidal positions");
            case Positional.None _, Positional.Rope _, Positional.Alibi _, Positional.T5Bias _ -> { } // inside blocks
        }
        if (s.embeddings().tokenTypes() > 0) {
            sb.append(" + token types [").append(s.embeddings().tokenTypes()).append(", ").append(s.dModel()).append(']');
        }
        if (s.embeddings().layerNorm()) {
            sb.append(" -> embedding ").append(normName(s.norm()));
        }
        sb.append('\n').append("x ").append(s.layers()).append(" layers:\n");
        if (s.rwkv() != null) {
            String norm = normName(s.norm());
            sb.append("  x = x + TimeMix(").append(norm).append("(x))    ").append(s.rwkv()).append("; no positions\n");
            sb.append("  x = x + ChannelMix(").append(norm).append("(x))    ").append(s.rwkv().channelMix())
                    .append('\n');
            return tail(s, sb);
        }
        if (s.linear() != null) {
            String ffn = SpecFacts.ffnName(s.ffn()) + ", " + s.dModel() + " -> " + s.ffnDim() + " -> " + s.dModel();
            sb.append("  ").append(formula(s, "LinearAttention")).append("    ").append(s.linear())
                    .append("; no positions\n");
            if (s.hybrid() != null) {
                sb.append("    (").append(s.hybrid()).append(": ").append(SpecFacts.attention(s.attention()))
                        .append(")\n");
            }
            sb.append("  ").append(formula(s, "FFN")).append("    ").append(ffn).append('\n');
            return tail(s, sb);
        }
        if (s.recurrent() && s.hybrid() == null) {
            sb.append("  x = x + Mamba(").append(normName(s.norm())).append("(x))    ").append(s.ssm())
                    .append("; no positions, no FFN\n");
            return tail(s, sb);
        }
        if (s.recurrent()) { // Jamba: Mamba or attention, then an FFN (or experts) in every layer
            String ffn = SpecFacts.ffnName(s.ffn()) + ", " + s.dModel() + " -> " + s.ffnDim() + " -> " + s.dModel()
                    + (s.sparse() ? "; " + s.moe() : "");
            sb.append("  ").append(formula(s, "Mamba")).append("    ").append(s.ssm()).append("; no positions\n");
            sb.append("    (").append(s.hybrid()).append(": ").append(SpecFacts.attention(s.attention()))
                    .append(")\n");
            sb.append("  ").append(formula(s, "FFN")).append("    ").append(ffn).append('\n');
            return tail(s, sb);
        }
        String attention = SpecFacts.attention(s.attention()) + "; " + s.positional() + "; "
                + SublayerDrawing.maskLabel(s).substring(2);
        String ffn = SpecFacts.ffnName(s.ffn()) + ", " + s.dModel() + " -> " + s.ffnDim() + " -> " + s.dModel();
        if (s.parallelBlock()) {
            sb.append("  ").append(parallelFormula(s)).append('\n');
            sb.append("    Attention: ").append(attention).append('\n');
            sb.append("    FFN: ").append(ffn).append('\n');
        } else {
            sb.append("  ").append(formula(s, "Attention")).append("    ").append(attention).append('\n');
            sb.append("  ").append(formula(s, "FFN")).append("    ").append(ffn).append('\n');
        }
        return tail(s, sb);
    }

    /** The final norm, the output head and the logits; an encoder's hidden states, pooled vector and masked-LM head. */
    private static String tail(ModelSpec s, StringBuilder sb) {
        sb.append("-> ");
        if (s.finalNorm()) {
            sb.append("final ").append(normName(s.norm())).append(" -> ");
        }
        if (s.encoder()) {
            sb.append("hidden states [T, ").append(s.dModel()).append(']');
            if (s.pooling().pools()) {
                sb.append(" -> ").append(s.pooling()).append(" -> pooled [").append(s.dModel()).append(']');
            }
            if (s.maskedLmHead()) {
                sb.append("; hidden states -> masked-LM head (dense, GELU, ").append(normName(s.norm()))
                        .append("; decoder tied to the token embedding, + bias) -> logits");
            }
            return sb.toString();
        }
        sb.append(s.tiedEmbeddings() ? "output head (tied to the token embedding)" : "output head [" + s.vocabSize()
                + ", " + s.dModel() + "]");
        if (s.finalLogitSoftcap() > 0) {
            sb.append(" -> soft cap ").append(Format.decimal(s.finalLogitSoftcap()));
        }
        return sb.append(" -> logits").toString();
    }

    @Override
    public String toString() {
        return "block diagram of " + spec.name() + "\n" + text();
    }
}
