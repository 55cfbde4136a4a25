package dev.llmgraph.io.hf;

/**
 * The sizes a decoder's config.json gives in the same fields across types: hidden_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads, intermediate_size, vocab_size, max_position_embeddings and, where the type
 * has it, head_dim, read in that order (the first missing one is the one named). Without a head_dim the heads are
 * hidden_size / num_attention_heads, which must divide; the K/V heads must divide the heads.
 *
 * @param headDim the head size the config gives, or 0 for hidden_size / num_attention_heads
 */
record DecoderSizes(int dModel, int layers, int heads, int kvHeads, int ffnWidth, int vocab, int context,
                    int headDim) {
    /** The sizes of a type without head_dim (phi, phi3); K/V heads as many as the query heads when absent. */
    static DecoderSizes read(ConfigFields f, int defaultContext) {
        return read(f, 0, defaultContext, -1);
    }

    /**
     * The sizes of a type with head_dim (llama, gemma): K/V heads {@code defaultKvHeads} when absent (0: as many as
     * the query heads), head_dim {@code defaultHeadDim} (0: hidden_size / num_attention_heads).
     */
    static DecoderSizes readWithHeadDim(ConfigFields f, int defaultKvHeads, int defaultContext, int defaultHeadDim) {
        return read(f, defaultKvHeads, defaultContext, defaultHeadDim);
    }

    /** {@code defaultHeadDim} -1: the type has no head_dim field. */
    private static DecoderSizes read(ConfigFields f, int defaultKvHeads, int defaultContext, int defaultHeadDim) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers");
        int heads = f.requiredSize("num_attention_heads", "heads");
        int kvHeads = f.optionalSize("num_key_value_heads", defaultKvHeads == 0 ? heads : defaultKvHeads);
        int ffnWidth = f.requiredSize("intermediate_size", "the FFN width");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        int context = f.optionalSize("max_position_embeddings", defaultContext);
        int headDim = defaultHeadDim < 0 ? 0 : f.optionalSize("head_dim", defaultHeadDim);
        if (headDim == 0) {
            HfFamily.requireDivisible(f, d, heads, "hidden_size", "num_attention_heads");
        }
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "field 'num_key_value_heads' = " + kvHeads + " must divide "
                    + "'num_attention_heads' = " + heads);
        }
        return new DecoderSizes(d, layers, heads, kvHeads, ffnWidth, vocab, context, headDim);
    }
}
