package dev.llmgraph.spec;

/**
 * Where a spec starts:
 * <pre>{@code
 * var spec = Transformer.causalDecoder("my-llama")
 *     .vocabSize(32000).dModel(512).layers(8).contextLength(2048)
 *     .attention(Attention.grouped(8, 2))
 *     .positional(Positional.rope(10_000))
 *     .norm(Norm.rms(1e-5), NormPlacement.PRE)
 *     .ffn(Ffn.swiglu(1376))
 *     .tiedEmbeddings(true)
 *     .build();
 * }</pre>
 */
public final class Transformer {
    private Transformer() {}

    /** A GPT-style decoder: every token attends to itself and what came before. */
    public static ModelBuilder causalDecoder(String name) {
        return new ModelBuilder(name, ArchitectureKind.CAUSAL_DECODER);
    }

    /** A GLM-style decoder: the prefix attends in both directions, the continuation causally. */
    public static ModelBuilder prefixDecoder(String name) {
        return new ModelBuilder(name, ArchitectureKind.PREFIX_DECODER);
    }

    /**
     * A BERT-style encoder: every token attends to every token, the output is the hidden states and their
     * pooled vector (CLS pooling unless {@code .pooling(...)} says otherwise), and there is no output head. BERT
     * itself: learned positions, {@code .tokenTypes(2)}, an embedding LayerNorm, post-LN, a GELU MLP, no final norm.
     */
    public static ModelBuilder encoder(String name) {
        return new ModelBuilder(name, ArchitectureKind.ENCODER).pooling(Pooling.cls());
    }

    /**
     * A T5-style encoder-decoder: a bidirectional encoder, a causal decoder with cross-attention over the encoder's
     * output, T5's relative bias in each stack, RMS norms before each sublayer ({@link EncoderDecoderSpec}).
     */
    public static EncoderDecoderBuilder encoderDecoder(String name) {
        return new EncoderDecoderBuilder(name);
    }

    /** A builder for any family. */
    public static ModelBuilder builder(String name, ArchitectureKind kind) {
        return new ModelBuilder(name, kind);
    }
}
