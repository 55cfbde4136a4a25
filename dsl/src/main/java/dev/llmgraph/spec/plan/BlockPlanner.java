package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.LayerChoice;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.WeightLayout.Weight;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.llmgraph.spec.plan.Node.TOKENS;

/**
 * The steps of one layer in the spec's norm placement (N = norm, F = sequence or channel mixer):
 * <pre>
 *  PRE       x = x + F(N(x))              Residual[Normalize, F]
 *  SANDWICH  x = x + N'(F(N(x)))          Residual[Normalize, F, Normalize]
 *  POST      x = N(x + F(x))              Residual[F], Normalize
 *  DEEPNORM  x = N(alpha * x + F(x))      Residual(alpha)[F], Normalize
 *  parallel  x = x + Attn(N(x)) + FFN(N(x))      Residual[Normalize, Parallel[Mix | Channel]]   (PRE)
 *            x = N(x + Attn(x) + FFN(x))         Residual[Mix | Channel], Normalize             (POST)
 * </pre>
 * The two parallel forms add in different orders, as llmgraph always has: the pre-norm one sums the
 * branches first, the post-norm one adds them to x one after the other.
 */
final class BlockPlanner {
    private final ModelSpec s;
    private final int i;
    private final String b;
    private final String n;

    private BlockPlanner(ModelSpec s, int layer) {
        this.s = s;
        this.i = layer;
        this.b = "blk." + layer + ".";
        this.n = "." + layer;
    }

    static Block block(ModelSpec s, LayerChoice layer) {
        return new BlockPlanner(s, layer.layer()).plan(layer);
    }

    private Block plan(LayerChoice layer) {
        Step.Mix mix = MixerPlanner.mix(s, layer);
        if (layer.channel() == null) {
            // A mixer-only block (Mamba): x = x + F(N(x)); the validator admits only PRE placement for it.
            Step.Normalize norm = norm("attn_norm", "before the mixer");
            Step.Residual residual = new Step.Residual(1, List.of(List.of(norm, mix)), List.of(blockOutput()));
            return block(List.of(residual), norm, mix);
        }
        Step.Channel channel = ChannelPlanner.channel(s, layer);
        NormPlacement placement = s.placement();
        if (s.parallelBlock()) {
            return switch (placement) {
                case PRE -> {
                    Step.Normalize norm = norm("attn_norm", "before attention");
                    Step.Residual residual = new Step.Residual(1, List.of(List.of(norm,
                            new Step.Parallel(List.of(List.of(mix), List.of(channel))))), List.of(blockOutput()));
                    yield block(List.of(residual), norm, mix, channel);
                }
                // The validator admits only PRE and POST for a parallel block; the others fall back to POST's form.
                case POST, SANDWICH, DEEPNORM -> {
                    Step.Residual residual = new Step.Residual(1, List.of(List.of(mix), List.of(channel)),
                            List.of(node("ffn_res", "residual + attention + FFN")));
                    Step.Normalize norm = norm("attn_norm", "after the residual", blockOutput());
                    yield block(List.of(residual, norm), norm, mix, channel);
                }
            };
        }
        return switch (placement) {
            case PRE, SANDWICH -> {
                boolean sandwich = placement == NormPlacement.SANDWICH;
                Step.Normalize attnNorm = norm("attn_norm", "before attention");
                Step.Normalize attnPost = sandwich ? norm("attn_post_norm", "after attention") : null;
                // RWKV's second norm is llama.cpp's attn_norm_2 (its graph calls the node ffn_norm all the same).
                Step.Normalize ffnNorm = switch (layer.mixer()) {
                    case Rwkv _ -> norm("attn_norm_2", "before the channel mix");
                    case Attention _, LatentAttention _, StateSpace _, LinearAttention _ ->
                            norm("ffn_norm", "before the FFN");
                };
                Step.Normalize ffnPost = sandwich ? norm("ffn_post_norm", "after the FFN") : null;
                Step.Residual attention = new Step.Residual(1, List.of(present(attnNorm, mix, attnPost)),
                        List.of(node("attn_res", "residual + attention")));
                Step.Residual ffn = new Step.Residual(1, List.of(present(ffnNorm, channel, ffnPost)),
                        List.of(blockOutput()));
                yield block(List.of(attention, ffn), attnNorm, mix, attnPost, ffnNorm, channel, ffnPost);
            }
            case POST, DEEPNORM -> {
                boolean deep = placement == NormPlacement.DEEPNORM;
                double alpha = placement.residualAlpha(s.layers());
                Step.Residual attention = new Step.Residual(alpha, List.of(List.of(mix)),
                        List.of(node("attn_res", deep ? "alpha x + attention" : "residual + attention")));
                Step.Normalize attnNorm = norm("attn_norm", "after the residual");
                Step.Residual ffn = new Step.Residual(alpha, List.of(List.of(channel)),
                        List.of(node("ffn_res", deep ? "alpha x + FFN" : "residual + FFN")));
                Step.Normalize ffnNorm = norm("ffn_norm", "after the residual", blockOutput());
                yield block(List.of(attention, attnNorm, ffn, ffnNorm), attnNorm, mix, ffnNorm, channel);
            }
        };
    }

    /** A block whose weights are those of {@code storageOrder}, in that order (nulls skipped). */
    private Block block(List<Step> steps, Step... storageOrder) {
        List<Weight> weights = new ArrayList<>();
        for (Step step : present(storageOrder)) {
            weights.addAll(step.weights());
        }
        return new Block(i, steps, weights);
    }

    /** The norm {@code blk.i.<name>} of the spec, named {@code <name>.i}, and also {@code more}. */
    private Step.Normalize norm(String name, String what, Node... more) {
        List<Node> outputs = new ArrayList<>();
        outputs.add(node(name, s.norm() + " " + what));
        outputs.addAll(List.of(more));
        return new Step.Normalize(b + name, s.norm(), WeightShapes.norm(b + name, s.dModel(), s.norm(), "block norms"),
                outputs);
    }

    private Node blockOutput() {
        return node("l_out", "block output");
    }

    /** A node of this layer of shape [T, dModel]. */
    private Node node(String name, String what) {
        return Node.of(name + n, what, TOKENS, s.dModel());
    }

    private static List<Step> present(Step... steps) {
        return Stream.of(steps).filter(step -> step != null).toList();
    }
}
