package dev.llmgraph.io.hf;

/**
 * The sizes a decoder's config.json gives in the same fields across types: hidden_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads, intermediate_size, vocab_size and max_position_embeddings, read in that
 * order (the first missing one is the one named), with the heads of hidden_size / num_attention_heads.
 */
record DecoderSizes(int dModel, int layers, int heads, int kvHeads, int ffnWidth, int vocab, int context) {
    /**
     * The sizes of {@code f}: K/V heads as many as the query heads when absent, the context {@code defaultContext};
     * the K/V heads must divide the heads, and the heads hidden_size.
     */
    static DecoderSizes read(ConfigFields f, int defaultContext) {
        int d = f.requiredSize("hidden_size", "dModel");
        int layers = f.requiredSize("num_hidden_layers", "layers");
        int heads = f.requiredSize("num_attention_heads", "heads");
        int kvHeads = f.optionalSize("num_key_value_heads", heads);
        int ffnWidth = f.requiredSize("intermediate_size", "the FFN width");
        int vocab = f.requiredSize("vocab_size", "vocabSize");
        int context = f.optionalSize("max_position_embeddings", defaultContext);
        HfFamily.requireDivisible(f, d, heads, "hidden_size", "num_attention_heads");
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "field 'num_key_value_heads' = " + kvHeads + " must divide "
                    + "'num_attention_heads' = " + heads);
        }
        return new DecoderSizes(d, layers, heads, kvHeads, ffnWidth, vocab, context);
    }
}
