package dev.llmgraph.parity;

/**
 * How an llmgraph node is laid out against its llama.cpp counterpart, and how both are brought to one layout
 * for comparison: llama.cpp's, in ggml order ({@code ne[0]} fastest).
 * <pre>
 *  SAME                  the same sizes in the same order, e.g. attn_norm [dModel, T]
 *  HEADS_TOKENS_SWAPPED  llmgraph names q, k, v after permuting to [headDim, T, heads]; llama.cpp's Qcur,
 *                        Kcur, Vcur are [headDim, heads, T]: llmgraph's are permuted back
 *  KEYS_CROPPED          attention scores [keys, T, heads]: llama.cpp's K cache is padded (256 cells), so only
 *                        the first T key columns (the prompt's tokens) are compared, on both sides
 * </pre>
 */
public enum NodeLayout {
    SAME, HEADS_TOKENS_SWAPPED, KEYS_CROPPED;

    /** Sizes (ggml order) and elements of a node. */
    record Laid(long[] ne, float[] values) {}

    /** llama.cpp's tensor in the common layout. */
    Laid llamaCpp(long[] ne, float[] values, int tokens) {
        return this == KEYS_CROPPED ? cropKeys(ne, values, tokens) : new Laid(ne, values);
    }

    /** llmgraph's node (sizes in ggml order) in the common layout. */
    Laid llmgraph(long[] ne, float[] values, int tokens) {
        return switch (this) {
            case SAME -> new Laid(ne, values);
            case HEADS_TOKENS_SWAPPED -> swapHeadsAndTokens(ne, values);
            case KEYS_CROPPED -> cropKeys(ne, values, tokens);
        };
    }

    /** [headDim, T, heads] to [headDim, heads, T]. */
    private static Laid swapHeadsAndTokens(long[] ne, float[] values) {
        if (ne.length != 3) {
            return new Laid(ne, values);
        }
        int width = (int) ne[0], tokens = (int) ne[1], heads = (int) ne[2];
        float[] out = new float[values.length];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(values, (h * tokens + t) * width, out, (t * heads + h) * width, width);
            }
        }
        return new Laid(new long[] {width, heads, tokens}, out);
    }

    /** [keys, T, heads] to [T, T, heads]: the keys of the prompt's own tokens. */
    private static Laid cropKeys(long[] ne, float[] values, int tokens) {
        if (ne.length < 2 || ne[0] < tokens) {
            return new Laid(ne, values);
        }
        int keys = (int) ne[0];
        int rows = values.length / keys;
        float[] out = new float[rows * tokens];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * keys, out, r * tokens, tokens);
        }
        long[] cropped = ne.clone();
        cropped[0] = tokens;
        return new Laid(cropped, out);
    }
}
