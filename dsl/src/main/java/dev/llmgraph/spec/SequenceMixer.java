package dev.llmgraph.spec;

/**
 * What mixes information across positions in a block: the part of a layer that lets token t read
 * tokens before it (and, bidirectionally, after it). Each case is lowered by one exhaustive {@code switch}
 * in the plan (weights, nodes, costs) and one in lowering, so a new case does not compile until both exist.
 * <pre>
 *  Attention        softmax attention: MHA / GQA / MQA, sliding windows, biases, soft-capping, QK-norm;
 *                   a KV cache of 2 x kvHeads x headDim values per token and layer
 *  LatentAttention  multi-head latent attention (MLA, DeepSeek-V2): keys and values rebuilt from a small latent;
 *                   a cache of kvRank + ropeHeadDim values per token and layer
 *  StateSpace       a selective state space, Mamba ({@link Ssm}) or Mamba-2 ({@link Mamba2}): a fixed-size
 *                   recurrent state per layer, no KV cache
 *  Rwkv             RWKV-6 / RWKV-7 time mixing ({@link Rwkv6}, {@link Rwkv7}): token shift and a WKV recurrence
 *                   with a headSize x headSize state per head; a fixed-size recurrent state per layer
 * </pre>
 * Further families plug in here as further records: linear attention with decay (a fixed-size recurrent state
 * too), cross-attention (keys and values from an encoder).
 */
public sealed interface SequenceMixer permits Attention, LatentAttention, StateSpace, Rwkv {
}
