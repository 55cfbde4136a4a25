package dev.llmgraph.spec;

import java.util.List;

/**
 * Builds an {@link EncoderDecoderSpec}. T5-small, for instance:
 * <pre>{@code
 * Transformer.encoderDecoder("t5-small").vocabSize(32128).dModel(512).encoderLayers(6).decoderLayers(6)
 *     .heads(8).ffn(Ffn.mlp(2048, Activation.RELU)).relativeBias(Positional.t5Bias(32, 128))
 *     .tiedEmbeddings(true).rescaledHead(true).build();
 * }</pre>
 * Defaults are T5's: 32 buckets reaching 128, RMS norm eps 1e-6, heads of dModel / heads, a tied rescaled head,
 * decoder start token 0, 512 positions. {@link #build()} reports every problem at once.
 */
public final class EncoderDecoderBuilder {
    private final String name;
    private int vocabSize;
    private int dModel;
    private int encoderLayers;
    private int decoderLayers;
    private int heads;
    private int headDim;
    private Ffn ffn;
    private Positional.T5Bias relativeBias = Positional.t5Bias(32, 128);
    private double normEps = 1e-6;
    private boolean tied = true;
    private boolean rescaledHead = true;
    private int contextLength = 512;
    private int decoderStartToken;

    EncoderDecoderBuilder(String name) {
        this.name = name;
    }

    EncoderDecoderBuilder(EncoderDecoderSpec s) {
        this(s.name());
        vocabSize = s.vocabSize();
        dModel = s.dModel();
        encoderLayers = s.encoderLayers();
        decoderLayers = s.decoderLayers();
        heads = s.heads();
        headDim = s.decoder().attention().headDim();
        ffn = s.ffn();
        relativeBias = s.relativeBias();
        normEps = s.normEps();
        tied = s.tiedEmbeddings();
        rescaledHead = s.rescaledHead();
        contextLength = s.contextLength();
        decoderStartToken = s.decoderStartToken();
    }

    /** Refuses a value below 1 at once. */
    public EncoderDecoderBuilder vocabSize(int vocabSize) {
        FieldRules.refuse(FieldRules.count("vocabSize", vocabSize));
        this.vocabSize = vocabSize;
        return this;
    }

    /** Refuses a value below 1 at once. */
    public EncoderDecoderBuilder dModel(int dModel) {
        FieldRules.refuse(FieldRules.count("dModel", dModel));
        this.dModel = dModel;
        return this;
    }

    /** Refuses a value below 1 or above 10,000 at once. */
    public EncoderDecoderBuilder encoderLayers(int layers) {
        FieldRules.refuse(EncoderDecoderRules.encoderLayers(layers));
        this.encoderLayers = layers;
        return this;
    }

    /** Refuses a value below 1 or above 10,000 at once. */
    public EncoderDecoderBuilder decoderLayers(int layers) {
        FieldRules.refuse(EncoderDecoderRules.decoderLayers(layers));
        this.decoderLayers = layers;
        return this;
    }

    /** Attention heads of every attention (T5 has no grouped K/V heads). */
    public EncoderDecoderBuilder heads(int heads) {
        this.heads = heads;
        return this;
    }

    /** The head size (T5's d_kv); 0 for dModel / heads. */
    public EncoderDecoderBuilder headDim(int headDim) {
        this.headDim = headDim;
        return this;
    }

    /** Both stacks' FFN: {@code Ffn.mlp(f, RELU)} (T5) or gated GELU {@code Ffn.geglu(f).withActivation(GELU_TANH)}. */
    public EncoderDecoderBuilder ffn(Ffn ffn) {
        this.ffn = ffn;
        return this;
    }

    public EncoderDecoderBuilder relativeBias(Positional.T5Bias relativeBias) {
        this.relativeBias = relativeBias;
        return this;
    }

    public EncoderDecoderBuilder normEps(double normEps) {
        this.normEps = normEps;
        return this;
    }

    public EncoderDecoderBuilder tiedEmbeddings(boolean tied) {
        this.tied = tied;
        return this;
    }

    /** Whether the decoder's output is multiplied by dModel^-0.5 before the tied head, as T5 v1.0 does. */
    public EncoderDecoderBuilder rescaledHead(boolean rescaledHead) {
        this.rescaledHead = rescaledHead;
        return this;
    }

    /** Refuses a value below 1 at once. */
    public EncoderDecoderBuilder contextLength(int contextLength) {
        FieldRules.refuse(FieldRules.count("contextLength", contextLength));
        this.contextLength = contextLength;
        return this;
    }

    /** Refuses a negative id at once; one outside the vocabulary, at {@link #build()}. */
    public EncoderDecoderBuilder decoderStartToken(int token) {
        FieldRules.refuse(EncoderDecoderRules.decoderStartToken(token));
        this.decoderStartToken = token;
        return this;
    }

    /** The spec, or an {@link InvalidSpecException} listing every problem (its own and either stack's). */
    public EncoderDecoderSpec build() {
        String label = name == null ? "(unnamed)" : name;
        List<SpecProblem> problems = EncoderDecoderRules.check(encoderLayers, decoderLayers, vocabSize, ffn,
                relativeBias, tied, rescaledHead, decoderStartToken);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(label, problems);
        }
        Attention attention = attention();
        ModelSpec encoder = encoder(attention);
        ModelSpec decoder = stack(Transformer.causalDecoder(name), decoderLayers, attention)
                .tiedEmbeddings(tied).build();
        return new EncoderDecoderSpec(name, encoder, decoder, decoderStartToken, rescaledHead);
    }

    /**
     * The encoder stack alone (llama.cpp's {@code t5encoder}: T5's encoder and its final norm, hidden states out):
     * the decoder's settings are not used.
     */
    public ModelSpec buildEncoder() {
        return encoder(attention());
    }

    private Attention attention() {
        // T5 does not divide q.k by sqrt(headDim): a softmax scale of 1. A d_kv of dModel / heads is the default
        // (0), so that a spec reads the same however its head size was written (T5's configs always write d_kv).
        int dim = headDim * heads == dModel ? 0 : headDim;
        return Attention.multiHead(heads).withHeadDim(dim).withSoftmaxScale(1.0);
    }

    private ModelSpec encoder(Attention attention) {
        if (ffn == null || relativeBias == null) {
            throw new InvalidSpecException(name == null ? "(unnamed)" : name, EncoderDecoderRules.check(
                    Math.max(encoderLayers, 1), 1, vocabSize, ffn, relativeBias, false, false, 0));
        }
        return stack(Transformer.encoder(name), encoderLayers, attention).pooling(Pooling.none())
                .embeddings(Embeddings.untied()).build();
    }

    private ModelBuilder stack(ModelBuilder b, int layers, Attention attention) {
        return b.vocabSize(vocabSize).dModel(dModel).layers(layers).contextLength(contextLength).attention(attention)
                .positional(relativeBias).norm(Norm.rms(normEps), NormPlacement.PRE).finalNorm(true).ffn(ffn);
    }
}
