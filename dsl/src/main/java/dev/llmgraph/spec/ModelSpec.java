package dev.llmgraph.spec;

import dev.llmgraph.spec.plan.Plan;

/**
 * A complete, validated architecture: every choice the LLM literature argues about, as a value. Make one
 * with {@link Transformer}; change one axis with the {@code with...} methods, which validate again.
 * Accounting (parameters, FLOPs, KV-cache bytes, memory, the shape trace) is in {@link Accounting} and
 * needs no weights.
 *
 * @param name              a label
 * @param kind              the decoder family
 * @param vocabSize         tokens in the vocabulary
 * @param dModel            width of the residual stream
 * @param layers            Transformer blocks
 * @param contextLength     the longest sequence the model is built for (positions, KV cache)
 * @param attention         heads, K/V heads, biases, windows, softcapping, flash attention
 * @param positional        how positions enter
 * @param norm              the normalisation
 * @param placement         where the norms sit
 * @param finalNorm         a norm after the last block (before the output head)
 * @param ffn               the feed-forward network
 * @param parallelBlock     attention and FFN read the same input and their outputs are summed
 *                          (GPT-J, Falcon): {@code x = x + Attn(N(x)) + FFN(N(x))}
 * @param embeddings        tying, scaling and the embedding LayerNorm
 * @param finalLogitSoftcap {@code c * tanh(logits / c)} on the output logits (Gemma 2: 30); 0 = off
 */
public record ModelSpec(String name, ArchitectureKind kind, int vocabSize, int dModel, int layers, int contextLength,
                        Attention attention, Positional positional, Norm norm, NormPlacement placement,
                        boolean finalNorm, Ffn ffn, boolean parallelBlock, Embeddings embeddings,
                        double finalLogitSoftcap) {

    /** A builder holding this spec's values, to change several at once. */
    public ModelBuilder toBuilder() {
        return new ModelBuilder(this);
    }

    public int heads() {
        return attention.heads();
    }

    public int kvHeads() {
        return attention.kvHeads();
    }

    public int headDim() {
        return attention.headDim(dModel);
    }

    public int ffnDim() {
        return ffn.width();
    }

    /** Whether the output head reuses the token embedding. */
    public boolean tiedEmbeddings() {
        return embeddings.tied();
    }

    /** The base attention mask of this family (layers with a sliding window narrow it). */
    public MaskKind mask() {
        return kind.mask();
    }

    /** The mask layer {@code layer} uses. */
    public MaskKind mask(int layer) {
        return attention.slides(layer) ? MaskKind.SLIDING : kind.mask();
    }

    /**
     * What layer {@code layer} is made of: its sequence mixer, mask and channel mixer. Today every layer has
     * the spec's attention and FFN, and the sliding-window pattern decides the mask.
     */
    public LayerChoice layer(int layer) {
        return new LayerChoice(layer, attention, mask(layer), ffn);
    }

    /** The spec as data: every layer's steps, with their node names, weights and shapes. */
    public Plan plan() {
        return Plan.of(this);
    }

    /** Parameters, FLOPs, KV cache, memory and the shape trace. */
    public Accounting accounting() {
        return new Accounting(this);
    }

    /** Total learned parameters. */
    public long parameterCount() {
        return accounting().parameters().total();
    }

    public ModelSpec withName(String name) {
        return toBuilder().name(name).build();
    }

    public ModelSpec withVocabSize(int vocabSize) {
        return toBuilder().vocabSize(vocabSize).build();
    }

    public ModelSpec withDModel(int dModel) {
        return toBuilder().dModel(dModel).build();
    }

    public ModelSpec withLayers(int layers) {
        return toBuilder().layers(layers).build();
    }

    public ModelSpec withContextLength(int contextLength) {
        return toBuilder().contextLength(contextLength).build();
    }

    public ModelSpec withAttention(Attention attention) {
        return toBuilder().attention(attention).build();
    }

    public ModelSpec withPositional(Positional positional) {
        return toBuilder().positional(positional).build();
    }

    public ModelSpec withNorm(Norm norm) {
        return toBuilder().norm(norm).build();
    }

    public ModelSpec withNorm(Norm norm, NormPlacement placement) {
        return toBuilder().norm(norm, placement).build();
    }

    public ModelSpec withPlacement(NormPlacement placement) {
        return toBuilder().norm(norm, placement).build();
    }

    public ModelSpec withFinalNorm(boolean finalNorm) {
        return toBuilder().finalNorm(finalNorm).build();
    }

    public ModelSpec withFfn(Ffn ffn) {
        return toBuilder().ffn(ffn).build();
    }

    public ModelSpec withParallelBlock(boolean parallelBlock) {
        return toBuilder().parallelBlock(parallelBlock).build();
    }

    public ModelSpec withEmbeddings(Embeddings embeddings) {
        return toBuilder().embeddings(embeddings).build();
    }

    public ModelSpec withTiedEmbeddings(boolean tied) {
        return toBuilder().tiedEmbeddings(tied).build();
    }

    public ModelSpec withFinalLogitSoftcap(double cap) {
        return toBuilder().finalLogitSoftcap(cap).build();
    }

    public ModelSpec withKind(ArchitectureKind kind) {
        return toBuilder().kind(kind).build();
    }

    /** One line per choice, in the paper's vocabulary. */
    public String describe() {
        return name + ": " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + "\n  vocabSize " + vocabSize + ", dModel " + dModel + ", layers " + layers + ", contextLength "
                + contextLength
                + "\n  attention   " + attention
                + "\n  positional  " + positional
                + "\n  norm        " + norm + ", " + placement + (finalNorm ? ", final norm" : ", no final norm")
                + "\n  ffn         " + ffn + (parallelBlock ? ", parallel with attention" : "")
                + "\n  embeddings  " + (embeddings.tied() ? "tied" : "untied")
                + (embeddings.scale() != 1.0 ? ", scaled by " + embeddings.scale() : "")
                + (embeddings.layerNorm() ? ", LayerNorm after lookup" : "")
                + (finalLogitSoftcap > 0 ? "\n  final logit softcap " + finalLogitSoftcap : "");
    }

    @Override
    public String toString() {
        return describe();
    }
}
