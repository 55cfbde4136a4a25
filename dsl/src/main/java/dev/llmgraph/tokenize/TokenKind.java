package dev.llmgraph.tokenize;

/**
 * What a token of a published BPE vocabulary is, as GGUF's {@code tokenizer.ggml.token_type} and Hugging
 * Face's {@code added_tokens} say it.
 */
public enum TokenKind {
    /** A piece of text made by the merges (in the byte-level alphabet, or SentencePiece's with ▁ for space). */
    NORMAL(1),
    /** A control token (end of text, a chat turn's markers): read from text only when asked to. */
    SPECIAL(3),
    /** Text that is always one token wherever it stands (Hugging Face's added tokens that are not special). */
    ADDED(4),
    /** A placeholder that pads the vocabulary to the model's size; never produced by encoding. */
    UNUSED(5),
    /**
     * One byte, {@code <0xXX>}: what SentencePiece-style vocabularies encode a character they lack as (byte
     * fallback); byte-level ones have every byte as a normal token instead.
     */
    BYTE(6);

    private final int llamaTokenType;

    TokenKind(int llamaTokenType) {
        this.llamaTokenType = llamaTokenType;
    }

    /** llama.cpp's {@code llama_token_type} for it. */
    public int llamaTokenType() {
        return llamaTokenType;
    }

    /** The kind of a GGUF token type; unknown (2) reads as special, since encoding never produces it either. */
    static TokenKind ofLlamaTokenType(int type, int id) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2, 3 -> SPECIAL;
            case 4 -> ADDED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> throw new IllegalArgumentException("token " + id + " has token type " + type + "; a BPE "
                    + "vocabulary has types 1 (normal), 2 (unknown), 3 (control), 4 (user-defined), 5 (unused) and 6 "
                    + "(byte)");
        };
    }
}
