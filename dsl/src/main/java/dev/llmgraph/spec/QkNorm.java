package dev.llmgraph.spec;

/**
 * Whether, and over how many values, queries and keys are RMS-normalised before RoPE (QK-norm), each with a
 * learned gain ({@code attn_q_norm}, {@code attn_k_norm}):
 * <pre>
 *  q projection  [ head 0 | head 1 | head 2 | head 3 ]      (heads x headDim values per token)
 *  PER_HEAD      [  rms   |  rms   |  rms   |  rms   ]      one RMS per head, gain of headDim values shared
 *                                                           by every head (OLMo 2, Qwen3, Gemma 3)
 *  WHOLE_WIDTH   [               rms                 ]      one RMS over the whole projection, gain of
 *                                                           heads x headDim values (OLMoE)
 * </pre>
 * Keys the same way over kvHeads x headDim. Whole-width norms couple the heads: a head's normalised query
 * depends on the others' sizes, which per-head norms rule out.
 */
public enum QkNorm {
    /** Queries and keys as projected. */
    NONE,
    /** RMSNorm over each head of q and of k, one gain of headDim values each. */
    PER_HEAD,
    /** RMSNorm over the whole q projection and the whole k projection, gains as wide as the projections. */
    WHOLE_WIDTH;

    /** Values in the q gain and the k gain together, for heads and kvHeads heads of headDim. */
    public long gainParameters(int heads, int kvHeads, int headDim) {
        return switch (this) {
            case NONE -> 0;
            case PER_HEAD -> 2L * headDim;
            case WHOLE_WIDTH -> (long) (heads + kvHeads) * headDim;
        };
    }

    /** The width of the q gain (or, with kvHeads, of the k gain). */
    public long gainWidth(int headsOfProjection, int headDim) {
        return switch (this) {
            case NONE -> 0;
            case PER_HEAD -> headDim;
            case WHOLE_WIDTH -> (long) headsOfProjection * headDim;
        };
    }

    /** Whether there are q/k norms at all. */
    public boolean present() {
        return this != NONE;
    }
}
