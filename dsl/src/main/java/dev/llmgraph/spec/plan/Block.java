package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.WeightLayout.Weight;

import java.util.List;

/**
 * One layer of a plan: its steps in execution order, and its weights in the order llama.cpp stores a
 * block's tensors (each sublayer's norm, then its mixer, then its post-norm, whatever the placement), which
 * is the order of the weight layout and of exported files.
 *
 * @param layer   the 0-based layer index
 * @param steps   what the layer computes, in order
 * @param weights the learned tensors of the layer, in storage order
 */
public record Block(int layer, List<Step> steps, List<Weight> weights) {
    public Block {
        steps = List.copyOf(steps);
        weights = List.copyOf(weights);
    }

    /** The named nodes of this layer, in execution order. */
    public List<Node> nodes() {
        return Steps.nodes(steps);
    }

    /** The norms, mixers and channel mixers of this layer, residuals and parallel groups opened. */
    public List<Step> leaves() {
        return Steps.leaves(steps);
    }
}
