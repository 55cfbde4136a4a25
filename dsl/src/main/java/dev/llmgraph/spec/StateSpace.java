package dev.llmgraph.spec;

/**
 * A selective state space mixer: Mamba ({@link Ssm}) or Mamba-2 ({@link Mamba2}). Both run a causal convolution and
 * a recurrence whose state has a fixed size, so a session keeps {@link #stateElements()} values per layer instead
 * of a KV cache; both are blocks {@code x + M(Norm(x))} with no FFN.
 */
public sealed interface StateSpace extends SequenceMixer permits Ssm, Mamba2 {
    /** Channels of the expanded stream d_inner. */
    int innerDim();

    /** State values per channel (Mamba) or per head dimension (Mamba-2), d_state. */
    int stateDim();

    /** The causal convolution's width d_conv. */
    int convWidth();

    /** Channels the convolution runs over: the stream, and for Mamba-2 also B and C. */
    long convChannels();

    /** The last convWidth - 1 inputs of every convolved channel: the convolution's part of the state. */
    default long convStateElements() {
        return (long) (convWidth() - 1) * convChannels();
    }

    /** stateDim values per channel: the recurrence's part of the state. */
    default long scanStateElements() {
        return (long) stateDim() * innerDim();
    }

    /** Values of the state of one layer and one sequence, whatever the context length. */
    default long stateElements() {
        return convStateElements() + scanStateElements();
    }

    /** Weights of one block. */
    long parameters(int dModel);
}
