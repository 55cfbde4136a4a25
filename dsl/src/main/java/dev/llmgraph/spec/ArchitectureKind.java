package dev.llmgraph.spec;

/**
 * The three Transformer families of the LLM literature (plus encoder-only), told apart by their
 * attention masks:
 * <pre>
 *  CAUSAL_DECODER   every token sees itself and the tokens before it (GPT, LLaMA, BLOOM)
 *  PREFIX_DECODER   the prefix (prompt) sees itself in both directions, the rest is causal (GLM, ChatGLM-6B, U-PaLM)
 *  ENCODER          every token sees every token (BERT)
 *  ENCODER_DECODER  a bidirectional encoder and a causal decoder joined by cross-attention (T5, BART)
 * </pre>
 * One {@link ModelSpec} is one stack: a decoder of either family or an encoder ({@link Transformer#encoder}). An
 * encoder-decoder is two stacks joined by cross-attention, an {@link EncoderDecoderSpec}
 * ({@link Transformer#encoderDecoder}); a ModelSpec of that kind is refused in words.
 */
public enum ArchitectureKind {
    CAUSAL_DECODER, PREFIX_DECODER, ENCODER, ENCODER_DECODER;

    /** The mask a layer uses without a sliding window. */
    public MaskKind mask() {
        return switch (this) {
            case CAUSAL_DECODER, ENCODER_DECODER -> MaskKind.CAUSAL;
            case PREFIX_DECODER -> MaskKind.PREFIX;
            case ENCODER -> MaskKind.BIDIRECTIONAL;
        };
    }
}
