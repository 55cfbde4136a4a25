package dev.llmgraph.spec;

/**
 * What layer {@code layer} of a spec is made of: its sequence mixer, the mask that mixer uses, and its
 * channel mixer. {@link ModelSpec#layer(int)} is the one place that turns the spec's per-layer pattern
 * (today: which layers slide, from {@link SlidingWindow}) into the choice for one layer; the plan reads
 * every layer through it, so a pattern such as "dense FFN on layer 0, experts after" or "every third layer
 * global" is a value of the spec, never code in lowering.
 *
 * @param layer   the 0-based layer index
 * @param mixer   how positions are mixed
 * @param mask    which positions the mixer may see
 * @param channel how each position is transformed; null for a block that is its mixer alone (Mamba)
 */
public record LayerChoice(int layer, SequenceMixer mixer, MaskKind mask, ChannelMixer channel) {
}
