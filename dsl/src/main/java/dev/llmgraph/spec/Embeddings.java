package dev.llmgraph.spec;

/**
 * Token embeddings and the output head.
 *
 * @param tied       the output projection reuses the input embedding matrix (GPT-2, BLOOM, Gemma): saves
 *                   vocabSize x dModel parameters
 * @param scale      the token embeddings are multiplied by this before learned or sinusoidal positions are
 *                   added, as in "Attention Is All You Need" 3.4 (Gemma: sqrt(dModel)); 1 = none
 * @param layerNorm  a norm of the spec's type right after the lookup (and the positions), with its own
 *                   weights: BLOOM's word_embeddings_layernorm, a LayerNorm because BLOOM's norms
 *                   are LayerNorms; BERT's embedding LayerNorm
 * @param tokenTypes segments (token types) an encoder tells apart with a learned row each, added to the token
 *                   embeddings: BERT's sentence A / sentence B, 2; 0 = none
 * @param outputBias a learned bias added to the logits, one per vocabulary entry (Phi-2's lm_head)
 */
public record Embeddings(boolean tied, double scale, boolean layerNorm, int tokenTypes, boolean outputBias) {
    public Embeddings(boolean tied, double scale, boolean layerNorm) {
        this(tied, scale, layerNorm, 0, false);
    }

    public Embeddings(boolean tied, double scale, boolean layerNorm, int tokenTypes) {
        this(tied, scale, layerNorm, tokenTypes, false);
    }

    public static Embeddings untied() {
        return new Embeddings(false, 1.0, false, 0);
    }

    public static Embeddings tiedWeights() {
        return new Embeddings(true, 1.0, false, 0);
    }

    public Embeddings withTied(boolean tied) {
        return new Embeddings(tied, scale, layerNorm, tokenTypes, outputBias);
    }

    public Embeddings withScale(double scale) {
        return new Embeddings(tied, scale, layerNorm, tokenTypes, outputBias);
    }

    public Embeddings withLayerNorm(boolean layerNorm) {
        return new Embeddings(tied, scale, layerNorm, tokenTypes, outputBias);
    }

    /** With a learned bias on the logits, one per vocabulary entry (Phi-2). */
    public Embeddings withOutputBias(boolean outputBias) {
        return new Embeddings(tied, scale, layerNorm, tokenTypes, outputBias);
    }

    /** With a learned row per token type (segment), added to every token's embedding: BERT has 2. */
    public Embeddings withTokenTypes(int tokenTypes) {
        return new Embeddings(tied, scale, layerNorm, tokenTypes, outputBias);
    }
}
