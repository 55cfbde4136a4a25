package dev.llmgraph.spec;

/**
 * What transforms each position on its own in a block (the "position-wise" half of a layer). Each case is
 * lowered by one exhaustive {@code switch} in the plan (weights, nodes, costs) and one in lowering.
 * <pre>
 *  Ffn      a dense feed-forward network: the plain MLP (GPT-2, BLOOM) or a gated linear unit
 *           (SwiGLU, GeGLU, ReGLU, bilinear), chosen by {@link Ffn#gated()} and {@link Ffn#activation()}
 * </pre>
 * A mixture of experts (a router choosing k of n FFNs per token, as in DeepSeek-V2) plugs in here as a
 * further record.
 */
public sealed interface ChannelMixer permits Ffn {
}
