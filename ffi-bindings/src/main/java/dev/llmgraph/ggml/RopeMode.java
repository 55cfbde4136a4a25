package dev.llmgraph.ggml;

/**
 * How RoPE pairs up the dimensions it rotates.
 * <ul>
 *   <li>NORMAL: adjacent pairs (0,1), (2,3), ... as in the original RoFormer / GPT-J / LLaMA checkpoints
 *       of Meta's format.</li>
 *   <li>NEOX: halves (i, i + n/2), as in GPT-NeoX, Falcon, Qwen2 and HF-format LLaMA.</li>
 * </ul>
 */
public enum RopeMode {
    NORMAL(0), NEOX(2);

    private final int ggmlMode;

    RopeMode(int ggmlMode) {
        this.ggmlMode = ggmlMode;
    }

    int ggmlMode() {
        return ggmlMode;
    }
}
