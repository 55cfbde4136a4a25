package dev.llmgraph.spec;

/**
 * Which dimensions of a head rotate together in RoPE.
 * <pre>
 *  ADJACENT  pairs (0,1), (2,3), ...          RoFormer, GPT-J, Meta's LLaMA; ggml's "normal" mode
 *  HALVES    pairs (i, i + n/2)               GPT-NeoX, Falcon, Qwen2, HF-format LLaMA; ggml's "neox" mode
 * </pre>
 * The two are the same rotation applied to a permuted head, which is why a converter can turn one into
 * the other by permuting the rows of W_q and W_k.
 */
public enum RopePairing {
    ADJACENT, HALVES
}
