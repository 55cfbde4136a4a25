package dev.llmgraph.spec;

/**
 * Which tokens each token of an encoder may attend to, chosen per call: UniLM's three self-attention masks (Dong et
 * al., "Unified Language Model Pre-training for Natural Language Understanding and Generation", 2019), which let one
 * set of weights be a bidirectional encoder, a left-to-right language model and a sequence-to-sequence model.
 * Rows are queries, columns keys; {@code x} visible, {@code .} hidden; S is the source length:
 * <pre>
 *  bidirectional()       leftToRight()         sequenceToSequence(3)
 *       k 0 1 2 3 4           k 0 1 2 3 4           k 0 1 2 3 4      source 0..2, target 3..4
 *  q 0    x x x x x      q 0    x . . . .      q 0    x x x . .      a source token sees the whole source,
 *    1    x x x x x        1    x x . . .        1    x x x . .      never the target;
 *    2    x x x x x        2    x x x . .        2    x x x . .
 *    3    x x x x x        3    x x x x .        3    x x x x .      a target token sees the whole source
 *    4    x x x x x        4    x x x x x        4    x x x x x      and the target up to itself
 *  BERT's mask (cloze)   GPT's mask            the encoder-decoder's masks in one stack
 * </pre>
 * Each is one of the spec's {@link MaskKind} rules: bidirectional is {@link MaskKind#BIDIRECTIONAL}, left-to-right
 * {@link MaskKind#CAUSAL}, and sequence-to-sequence {@link MaskKind#PREFIX} with the source as the prefix (a prefix
 * decoder's mask is exactly this one). Pass one to {@code model.encode(tokens, mask)} or {@code model.forward(tokens,
 * mask)} of an encoder; {@link #matrix(int)} gives the mask itself, e.g. for a heatmap.
 */
public sealed interface AttentionMask {
    /** Every token sees every token (BERT's mask). */
    static AttentionMask bidirectional() {
        return new Bidirectional();
    }

    /** Each token sees itself and the tokens before it (a causal language model's mask). */
    static AttentionMask leftToRight() {
        return new LeftToRight();
    }

    /**
     * The first {@code sourceLength} tokens are the source, each seeing the whole source; the rest are the target,
     * each seeing the whole source and the target tokens up to itself.
     */
    static AttentionMask sequenceToSequence(int sourceLength) {
        return new SequenceToSequence(sourceLength);
    }

    /** The mask rule this is. */
    MaskKind kind();

    /** The tokens every token sees whatever its position: the source of a sequence-to-sequence mask, else 0. */
    int prefixLength();

    /** Whether query position {@code q} sees key position {@code k}. */
    default boolean visible(int q, int k) {
        return kind().visible(q, k, prefixLength(), 0);
    }

    /**
     * The mask over {@code tokens} tokens as a matrix: {@code [q][k]} is true where query q sees key k. Refused in
     * words when the mask does not fit that many tokens ({@link #checkFits}).
     */
    default boolean[][] matrix(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens = " + tokens + ": a mask covers at least 1 token");
        }
        checkFits(tokens);
        boolean[][] m = new boolean[tokens][tokens];
        for (int q = 0; q < tokens; q++) {
            for (int k = 0; k < tokens; k++) {
                m[q][k] = visible(q, k);
            }
        }
        return m;
    }

    /** Throws an {@link IllegalArgumentException} naming the problem when this mask cannot cover {@code tokens}. */
    default void checkFits(int tokens) {
        switch (this) {
            case SequenceToSequence s when s.sourceLength() > tokens -> throw new IllegalArgumentException(
                    "sequenceToSequence(" + s.sourceLength() + "): the source (the first " + s.sourceLength()
                    + " tokens) is longer than the " + tokens + " tokens given; the target is the tokens after the "
                    + "source, so sourceLength must be between 1 and " + tokens);
            case SequenceToSequence _, Bidirectional _, LeftToRight _ -> { }
        }
    }

    /** BERT's mask: every token sees every token. */
    record Bidirectional() implements AttentionMask {
        @Override
        public MaskKind kind() {
            return MaskKind.BIDIRECTIONAL;
        }

        @Override
        public int prefixLength() {
            return 0;
        }

        @Override
        public String toString() {
            return "bidirectional";
        }
    }

    /** GPT's mask: each token sees itself and the tokens before it. */
    record LeftToRight() implements AttentionMask {
        @Override
        public MaskKind kind() {
            return MaskKind.CAUSAL;
        }

        @Override
        public int prefixLength() {
            return 0;
        }

        @Override
        public String toString() {
            return "left-to-right";
        }
    }

    /**
     * UniLM's sequence-to-sequence mask: a bidirectional source of {@code sourceLength} tokens, then a target that
     * reads the source and itself left to right.
     */
    record SequenceToSequence(int sourceLength) implements AttentionMask {
        public SequenceToSequence {
            if (sourceLength < 1) {
                throw new IllegalArgumentException("sourceLength = " + sourceLength + ": a sequence-to-sequence mask "
                        + "needs a source of at least 1 token (with no source every token is target, which is "
                        + "AttentionMask.leftToRight())");
            }
        }

        @Override
        public MaskKind kind() {
            return MaskKind.PREFIX;
        }

        @Override
        public int prefixLength() {
            return sourceLength;
        }

        @Override
        public String toString() {
            return "sequence-to-sequence (source " + sourceLength + ")";
        }
    }
}
