package dev.llmgraph.spec;

/**
 * What transforms each position on its own in a block (the "position-wise" half of a layer). Each case is
 * lowered by one exhaustive {@code switch} in the plan (weights, nodes, costs) and one in lowering.
 * <pre>
 *  Ffn      a dense feed-forward network: the plain MLP (GPT-2, BLOOM) or a gated linear unit
 *           (SwiGLU, GeGLU, ReGLU, bilinear), chosen by {@link Ffn#gated()} and {@link Ffn#activation()}
 *  Moe      a mixture of experts: a router sends each token to k of n FFNs (Mixtral, Qwen-MoE, OLMoE),
 *           with optional shared experts every token passes through
 *  RwkvChannelMix  RWKV's channel mixing: a token-shifted squared-ReLU FFN (with a receptance gate in RWKV-6)
 * </pre>
 * Which layers use which is {@link ModelSpec#layer(int)}'s answer.
 */
public sealed interface ChannelMixer permits Ffn, Moe, RwkvChannelMix {
}
