package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * A spec as data, derived once: the steps that turn tokens into the input of the first block, one
 * {@link Block} per layer, and the steps from the last block to the logits. Every step knows its node
 * names, its weights and its shapes, so lowering, the weight layout, accounting, the shape trace and the
 * block diagram all read the same structure instead of each re-deriving it from the spec.
 * <pre>
 *  input    Embed (token rows, scale, position table) , Normalize (embedding norm)?
 *  blocks   PRE       Residual[Normalize, Mix, Normalize(post)?] , Residual[Normalize, Channel, Normalize(post)?]
 *           POST      Residual[Mix] , Normalize , Residual[Channel] , Normalize
 *           parallel  Residual[Normalize, Parallel[Mix | Channel]]          (PRE)
 *                     Residual[Mix | Channel] , Normalize                   (POST)
 *  output   Normalize (final norm)? , Head
 * </pre>
 *
 * @param input  from token ids to the input of the first block
 * @param shared learned tensors every layer reads (T5's relative-position bias table)
 * @param blocks one per layer
 * @param output from the last block to the logits
 */
public record Plan(List<Step> input, List<Weight> shared, List<Block> blocks, List<Step> output) {
    public Plan {
        input = List.copyOf(input);
        shared = List.copyOf(shared);
        blocks = List.copyOf(blocks);
        output = List.copyOf(output);
    }

    /** The plan of {@code spec}. */
    public static Plan of(ModelSpec spec) {
        return Planner.plan(spec);
    }

    /** Every learned tensor, in storage order (the order of the weight layout and of exported files). */
    public List<Weight> weights() {
        List<Weight> out = new ArrayList<>(Steps.weights(input));
        out.addAll(shared);
        for (Block block : blocks) {
            out.addAll(block.weights());
        }
        out.addAll(Steps.weights(output));
        return List.copyOf(out);
    }

    /** Every named node of a forward pass, in execution order. */
    public List<Node> nodes() {
        List<Node> out = new ArrayList<>(Steps.nodes(input));
        for (Block block : blocks) {
            out.addAll(block.nodes());
        }
        out.addAll(Steps.nodes(output));
        return List.copyOf(out);
    }
}
