package dev.llmgraph.spec;

import dev.llmgraph.spec.plan.EncoderDecoderPlan;

/**
 * An encoder-decoder (T5): a bidirectional encoder stack reads the input once; a causal decoder stack writes the
 * output, each of its blocks attending first to the tokens written so far (self-attention, with a KV cache) and then
 * to the encoder's output (cross-attention, whose keys and values are computed once per input).
 * <pre>
 *  input ids  -> token_embd -> [enc block] x encoderLayers -> RMS -> encoder output h   [S, dModel]
 *  output ids -> token_embd -> [dec block] x decoderLayers -> RMS (x dModel^-0.5 when rescaled) -> head -> logits
 *
 *  dec block:  x = x + SelfAttn(RMS(x))          causal, T5 bias (one-directional buckets)
 *              x = x + CrossAttn(RMS(x), h)      queries from x, keys and values from h; no position bias
 *              x = x + FFN(RMS(x))               ReLU (T5) or gated GELU (Flan-T5, T5 v1.1)
 * </pre>
 * Both stacks are ordinary specs: {@code encoder} an {@link ArchitectureKind#ENCODER} without pooling,
 * {@code decoder} a {@link ArchitectureKind#CAUSAL_DECODER} with the output head; each has its own T5 bias table
 * (bidirectional buckets in the encoder, causal ones in the decoder), added to the logits after QK and before the
 * softmax, and neither divides the logits by sqrt(headDim) (T5 folds that scale into its initialisation). They share
 * the token embedding. Make one with {@link Transformer#encoderDecoder}.
 *
 * @param name              a label
 * @param encoder           the encoder stack (its {@code layers} are the encoder's)
 * @param decoder           the decoder stack without its cross-attention, which {@link #plan()} adds
 * @param decoderStartToken the token every decoded sequence begins with (T5: 0, its padding token)
 * @param rescaledHead      the decoder's output is multiplied by dModel^-0.5 before the tied head (T5 v1.0)
 */
public record EncoderDecoderSpec(String name, ModelSpec encoder, ModelSpec decoder, int decoderStartToken,
                                 boolean rescaledHead) {

    /** A builder holding this spec's values, to change several at once. */
    public EncoderDecoderBuilder toBuilder() {
        return new EncoderDecoderBuilder(this);
    }

    public int vocabSize() {
        return decoder.vocabSize();
    }

    public int dModel() {
        return decoder.dModel();
    }

    public int heads() {
        return decoder.heads();
    }

    public int headDim() {
        return decoder.headDim();
    }

    public int encoderLayers() {
        return encoder.layers();
    }

    public int decoderLayers() {
        return decoder.layers();
    }

    public Ffn ffn() {
        return decoder.ffn();
    }

    /** Each stack's relative position bias (the same buckets and reach; separate tables). */
    public Positional.T5Bias relativeBias() {
        return (Positional.T5Bias) decoder.positional();
    }

    public double normEps() {
        return decoder.norm().eps();
    }

    public boolean tiedEmbeddings() {
        return decoder.tiedEmbeddings();
    }

    public int contextLength() {
        return decoder.contextLength();
    }

    /** What the decoder's output is multiplied by before the head: dModel^-0.5 when rescaled, else 1. */
    public double headScale() {
        return rescaledHead ? 1.0 / Math.sqrt(dModel()) : 1.0;
    }

    /** Both stacks as data: their plans, the cross-attention weights, every weight under llama.cpp's t5 name. */
    public EncoderDecoderPlan plan() {
        return EncoderDecoderPlan.of(this);
    }

    /** Learned parameters: both stacks, the cross-attention, the shared embedding once. */
    public long parameterCount() {
        return plan().weights().stream().mapToLong(WeightLayout.Weight::elements).sum();
    }

    /**
     * Bytes of the cross-attention keys and values for an input of {@code encoderTokens}: per decoder layer, K and V
     * of every encoder position, {@code 2 x decoderLayers x S x heads x headDim} values of {@code type}. Computed once
     * per input; a decoder step adds nothing to it.
     */
    public long crossAttentionCacheBytes(int encoderTokens, dev.llmgraph.storage.StorageType type) {
        return 2L * decoderLayers() * encoderTokens * type.rowBytes((long) heads() * headDim());
    }

    /**
     * Bytes a decoder session holds for an input of {@code encoderTokens} and {@code decoderTokens} output tokens:
     * the self-attention KV cache of the decoder stack (in {@code cacheType}) and the cross-attention keys and values
     * (F32, as the runtime keeps them).
     */
    public long decoderCacheBytes(int encoderTokens, int decoderTokens, dev.llmgraph.storage.StorageType cacheType,
                                  dev.llmgraph.storage.StorageType crossType) {
        return decoder.accounting().kvCacheBytes(decoderTokens, cacheType, Math.max(1, decoderTokens))
                + crossAttentionCacheBytes(encoderTokens, crossType);
    }

    /** This spec with another FFN in both stacks. */
    public EncoderDecoderSpec withFfn(Ffn ffn) {
        return toBuilder().ffn(ffn).build();
    }

    /** This spec with a tied (rescaled, as T5 v1.0) or untied (T5 v1.1, Flan-T5) output head. */
    public EncoderDecoderSpec withTiedEmbeddings(boolean tied) {
        return toBuilder().tiedEmbeddings(tied).rescaledHead(tied).build();
    }

    public String describe() {
        return name + ": encoder-decoder"
                + "\n  vocabSize " + vocabSize() + ", dModel " + dModel() + ", encoderLayers " + encoderLayers()
                + ", decoderLayers " + decoderLayers() + ", contextLength " + contextLength()
                + "\n  attention   " + decoder.attention() + ", self then cross-attention in the decoder"
                + "\n  positional  " + decoder.positional() + " per stack"
                + "\n  norm        " + decoder.norm() + ", PRE, final norm per stack"
                + "\n  ffn         " + ffn()
                + "\n  head        " + (tiedEmbeddings() ? "tied" + (rescaledHead ? ", rescaled by dModel^-0.5" : "")
                : "untied") + ", decoder starts from token " + decoderStartToken;
    }

    @Override
    public String toString() {
        return describe();
    }
}
