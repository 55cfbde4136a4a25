package dev.llmgraph.display;

import dev.llmgraph.display.DiagramCanvas.Kind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.plan.Block;
import dev.llmgraph.spec.plan.Step;

import java.util.List;

import static dev.llmgraph.display.BlockDiagram.CX;
import static dev.llmgraph.display.BlockDiagram.MAIN_W;
import static dev.llmgraph.display.BlockDiagram.MAIN_X;
import static dev.llmgraph.display.BlockDiagram.NORM_W;
import static dev.llmgraph.display.BlockDiagram.NORM_X;
import static dev.llmgraph.display.BlockDiagram.SIDE_CX;
import static dev.llmgraph.display.BlockDiagram.SIDE_W;
import static dev.llmgraph.display.BlockDiagram.SIDE_X;
import static dev.llmgraph.display.BlockDiagram.SKIP_X;

/**
 * The inside of the Transformer block, drawn from the steps of the plan's first layer: a residual with one
 * branch is a sublayer (fork, its norms and mixer, the add with the skip path), a residual with several
 * branches or around a parallel group is a parallel block (attention and FFN side by side, one add), and a
 * norm between residuals sits on the stream. Mixers are drawn by {@link SublayerDrawing}, one case each.
 */
final class BlockDrawing {
    private final DiagramCanvas c;
    private final ModelSpec s;

    BlockDrawing(DiagramCanvas c, ModelSpec s) {
        this.c = c;
        this.s = s;
    }

    /** The steps of {@code block} from {@code y} down; returns the bottom edge. */
    double steps(Block block, double y) {
        boolean first = true;
        for (Step step : block.steps()) {
            switch (step) {
                case Step.Residual residual -> {
                    if (!first) {
                        c.line(CX, y, CX, y + 16);
                        y += 16;
                    }
                    y = residual(residual, y);
                    first = false;
                }
                case Step.Normalize norm -> {
                    c.arrow(CX, y, CX, y + 14);
                    y = c.box(node(norm), Kind.NORM, NORM_X, y + 14, NORM_W, 28, BlockDiagram.normName(s.norm()), null,
                            s.norm().toString());
                }
                case Step.Mix _, Step.Channel _, Step.Parallel _, Step.Embed _,
                     Step.Head _, Step.Pool _, Step.MaskedLm _ ->
                        throw new IllegalArgumentException("a block diagram draws residuals and norms on the stream, "
                                + "not " + step);
            }
        }
        return y;
    }

    private double residual(Step.Residual residual, double forkY) {
        if (residual.branches().size() > 1) {
            return parallel(null, residual.branches(), forkY);
        }
        List<Step> branch = residual.branches().getFirst();
        for (int i = 0; i < branch.size(); i++) {
            switch (branch.get(i)) {
                case Step.Parallel parallel -> {
                    Step.Normalize shared = i > 0 ? norm(branch.get(i - 1)) : null;
                    return parallel(shared, parallel.branches(), forkY);
                }
                case Step.Normalize _, Step.Mix _, Step.Channel _, Step.Residual _, Step.Embed _,
                     Step.Head _, Step.Pool _, Step.MaskedLm _ -> { }
            }
        }
        return sublayer(residual, branch, forkY);
    }

    /** One sublayer with its norms and residual add where the placement puts them. */
    private double sublayer(Step.Residual residual, List<Step> branch, double forkY) {
        String prefix = prefix(branch);
        String norm = BlockDiagram.normName(s.norm());
        c.fork(prefix + "_fork", CX, forkY);
        double y = forkY;
        boolean mixed = false;
        String mixer = "";
        for (Step step : branch) {
            switch (step) {
                case Step.Normalize n -> {
                    c.arrow(CX, y, CX, y + 14);
                    y = mixed ? c.box(node(n), Kind.NORM, NORM_X, y + 14, NORM_W, 28, norm + " (post)", null,
                            "SANDWICH: a second norm on the sublayer's output, before the residual add")
                            : c.box(node(n), Kind.NORM, NORM_X, y + 14, NORM_W, 28, norm, null, s.norm().toString());
                }
                case Step.Mix mix -> {
                    c.arrow(CX, y, CX, y + 14);
                    y = mixer(mix, MAIN_X, y + 14, MAIN_W);
                    mixed = true;
                    mixer = "Attention";
                }
                case Step.Channel channel -> {
                    c.arrow(CX, y, CX, y + 14);
                    y = mixer(channel, MAIN_X, y + 14, MAIN_W);
                    mixed = true;
                    mixer = "FFN";
                }
                case Step.Residual _, Step.Parallel _, Step.Embed _, Step.Head _, Step.Pool _, Step.MaskedLm _ ->
                        throw new IllegalArgumentException("a sublayer draws norms and mixers, not " + step);
            }
        }
        c.arrow(CX, y, CX, y + 14);
        double addY = y + 24;
        c.add(prefix + "_res", CX, addY);
        c.path(prefix + "_skip", false, CX, forkY, SKIP_X, forkY, SKIP_X, addY, CX - 10, addY);
        if (residual.alpha() != 1.0) {
            c.note(prefix + "_alpha", "× α = " + Format.decimal(residual.alpha()), SKIP_X + 6, addY - 5, "start");
        }
        c.note(prefix + "_formula", BlockDiagram.formula(s, mixer), SIDE_X, addY + 4, "start");
        return addY + 10;
    }

    /**
     * A parallel block: the shared norm (when it comes before the branches), attention and FFN side by
     * side, one add (GPT-J, Falcon).
     */
    private double parallel(Step.Normalize shared, List<List<Step>> branches, double forkY) {
        c.fork("attn_fork", CX, forkY);
        double y = forkY;
        if (shared != null) {
            c.arrow(CX, y, CX, y + 14);
            y = c.box(node(shared), Kind.NORM, NORM_X, y + 14, NORM_W, 28, BlockDiagram.normName(s.norm()), null,
                    "one norm shared by attention and FFN");
        }
        double split = y + 10;
        c.line(CX, y, CX, split);
        c.fork("split", CX, split);
        double top = split + 18;
        c.arrow(CX, split, CX, top);
        c.path("ffn_input", false, CX, split, SIDE_CX, split, SIDE_CX, top);
        double mainBottom = mixer(branches.get(0).getFirst(), MAIN_X, top, MAIN_W);
        double sideBottom = mixer(branches.get(1).getFirst(), SIDE_X, top, SIDE_W);
        double addY = Math.max(mainBottom, sideBottom) + 24;
        c.arrow(CX, mainBottom, CX, addY - 10);
        c.path("ffn_output", false, SIDE_CX, sideBottom, SIDE_CX, addY, CX + 10, addY);
        c.add("parallel_res", CX, addY);
        c.path("attn_skip", false, CX, forkY, SKIP_X, forkY, SKIP_X, addY, CX - 10, addY);
        c.note("parallel_formula", BlockDiagram.parallelFormula(s), CX + 20, addY + 17, "start");
        return addY + 10;
    }

    /** A sequence or channel mixer as a frame at ({@code x}, {@code y}) of width {@code w}; its bottom edge. */
    private double mixer(Step step, double x, double y, double w) {
        return switch (step) {
            case Step.Mix mix -> switch (mix.mixer()) {
                case Attention a -> SublayerDrawing.attention(c, s, a, x, y, w);
                case dev.llmgraph.spec.LatentAttention l -> SublayerDrawing.latent(c, s, l, x, y, w);
                case dev.llmgraph.spec.StateSpace m -> SublayerDrawing.ssm(c, s, m, x, y, w);
                case dev.llmgraph.spec.Rwkv m -> RwkvDrawing.timeMix(c, s, m, x, y, w);
            };
            case Step.Channel channel -> switch (channel.mixer()) {
                case Ffn f -> SublayerDrawing.ffn(c, s, f, x, y, w);
                case dev.llmgraph.spec.Moe m -> SublayerDrawing.experts(c, s, m, x, y, w);
                case dev.llmgraph.spec.RwkvChannelMix m -> RwkvDrawing.channelMix(c, s, m, x, y, w);
            };
            case Step.Normalize _, Step.Residual _, Step.Parallel _, Step.Embed _,
                 Step.Head _, Step.Pool _, Step.MaskedLm _ ->
                    throw new IllegalArgumentException("not a mixer: " + step);
        };
    }

    /** "attn" for a sublayer around a sequence mixer, "ffn" around a channel mixer. */
    private static String prefix(List<Step> branch) {
        for (Step step : branch) {
            switch (step) {
                case Step.Mix _ -> {
                    return "attn";
                }
                case Step.Channel _ -> {
                    return "ffn";
                }
                case Step.Normalize _, Step.Residual _, Step.Parallel _, Step.Embed _,
                     Step.Head _, Step.Pool _, Step.MaskedLm _ -> { }
            }
        }
        throw new IllegalArgumentException("a sublayer without a mixer: " + branch);
    }

    private static Step.Normalize norm(Step step) {
        return switch (step) {
            case Step.Normalize n -> n;
            case Step.Mix _, Step.Channel _, Step.Residual _, Step.Parallel _, Step.Embed _,
                 Step.Head _, Step.Pool _, Step.MaskedLm _ -> null;
        };
    }

    /** The diagram's node name of a norm: its graph node without the layer, e.g. {@code attn_norm}. */
    private static String node(Step.Normalize norm) {
        String name = norm.outputs().getFirst().name();
        return name.substring(0, name.lastIndexOf('.'));
    }
}
