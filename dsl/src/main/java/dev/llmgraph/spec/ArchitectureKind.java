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
 * This version builds and runs the two decoder families and encoders ({@link Transformer#encoder}); an
 * encoder-decoder is named so that a spec can say what it wants, and {@link ModelBuilder#build()} explains that
 * it comes later.
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
