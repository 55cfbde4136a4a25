package dev.llmgraph.model;

import java.util.Arrays;

/**
 * What an encoder-decoder's encoder made of an input: the hidden state of every input token after the encoder's
 * final norm, [tokens, dModel] in the paper's order. Decoders read it through the keys and values of their
 * cross-attention ({@link EncoderDecoderModel#crossAttention}).
 */
public final class EncoderOutput {
    private final int[] tokens;
    private final float[] hidden;
    private final int dModel;

    EncoderOutput(int[] tokens, float[] hidden, int dModel) {
        this.tokens = tokens.clone();
        this.hidden = hidden;
        this.dModel = dModel;
    }

    /** The input token ids. */
    public int[] tokenIds() {
        return tokens.clone();
    }

    public int tokens() {
        return tokens.length;
    }

    public int dModel() {
        return dModel;
    }

    /** The hidden state of input token {@code t} [dModel]. */
    public float[] hidden(int t) {
        if (t < 0 || t >= tokens.length) {
            throw new IndexOutOfBoundsException("token " + t + " of " + tokens.length);
        }
        return Arrays.copyOfRange(hidden, t * dModel, (t + 1) * dModel);
    }

    /** All hidden states, row after row [tokens * dModel]. */
    public float[] values() {
        return hidden.clone();
    }

    float[] raw() {
        return hidden;
    }

    @Override
    public String toString() {
        return "EncoderOutput(" + tokens.length + " tokens x " + dModel + ")";
    }
}
