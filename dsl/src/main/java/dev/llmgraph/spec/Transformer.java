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

    /** A builder for any family. */
    public static ModelBuilder builder(String name, ArchitectureKind kind) {
        return new ModelBuilder(name, kind);
    }
}
