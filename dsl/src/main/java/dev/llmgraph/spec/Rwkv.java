package dev.llmgraph.spec;

/**
 * RWKV's time mixing (Peng et al.): a linear-attention recurrence over heads of {@code headSize} channels whose state
 * is a headSize x headSize matrix per head, fed by a token shift (each token's input mixed with the previous
 * token's). RWKV-6 "Finch" ({@link Rwkv6}) decays the state by a data-dependent vector; RWKV-7 "Goose"
 * ({@link Rwkv7}) updates it with a generalised delta rule. Either is paired with RWKV's channel mixing
 * ({@link #channelMix()}), so a block is
 * <pre>
 *  x = x + TimeMix(LayerNorm(x))        the mixer, its own token shift and WKV state
 *  x = x + ChannelMix(LayerNorm(x))     a token-shifted squared-ReLU FFN, its own token shift
 * </pre>
 * A session keeps per layer the two token shifts (2 x dModel values) and the WKV state (headSize x dModel values),
 * whatever the context length: {@link #stateElements(int)}.
 */
public sealed interface Rwkv extends SequenceMixer permits Rwkv6, Rwkv7 {
    /** Channels per head, the side of each head's state matrix. */
    int headSize();

    /** The width of the channel mixing's hidden layer. */
    int ffnDim();

    /** The channel mixer every block pairs with this time mixing. */
    RwkvChannelMix channelMix();

    /** Heads: dModel / headSize. */
    /** "RWKV-6" or "RWKV-7", as llama.cpp's architectures and the papers name them. */
    default String version() {
        return switch (this) {
            case Rwkv6 _ -> "RWKV-6";
            case Rwkv7 _ -> "RWKV-7";
        };
    }

    default int heads(int dModel) {
        return dModel / headSize();
    }

    /** The WKV state of one layer: headSize x headSize values per head. */
    default long wkvStateElements(int dModel) {
        return (long) headSize() * dModel;
    }

    /** One layer's state of one sequence: both token shifts (2 x dModel) and the WKV state. */
    default long stateElements(int dModel) {
        return 2L * dModel + wkvStateElements(dModel);
    }

    /** Weights of the time mixing of one block (the norms and the channel mixing not included). */
    long parameters(int dModel);
}
