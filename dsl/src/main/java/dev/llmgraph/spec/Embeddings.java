package dev.llmgraph.spec;

/**
 * Token embeddings and the output head.
 *
 * @param tied      the output projection reuses the input embedding matrix (GPT-2, BLOOM, Gemma): saves
 *                  vocabSize x dModel parameters
 * @param scale     the embeddings are multiplied by this (Gemma: sqrt(dModel)); 1 = none
 * @param layerNorm a LayerNorm right after the embedding lookup (BLOOM's word_embeddings_layernorm)
 */
public record Embeddings(boolean tied, double scale, boolean layerNorm) {
    public static Embeddings untied() {
        return new Embeddings(false, 1.0, false);
    }

    public static Embeddings tiedWeights() {
        return new Embeddings(true, 1.0, false);
    }

    public Embeddings withTied(boolean tied) {
        return new Embeddings(tied, scale, layerNorm);
    }

    public Embeddings withScale(double scale) {
        return new Embeddings(tied, scale, layerNorm);
    }

    public Embeddings withLayerNorm(boolean layerNorm) {
        return new Embeddings(tied, scale, layerNorm);
    }
}
