package dev.llmgraph.model;

/** The words for token ids a model cannot take: none, outside the vocabulary, more than the context holds. */
final class TokenChecks {
    private TokenChecks() {}

    /** Throws, in words, unless {@code tokens} (the {@code what}: "input", "prompt") fit the vocabulary and context. */
    static void check(int[] tokens, String what, int vocabSize, int contextLength) {
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("the " + what + " is empty; pass at least one token id");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i + " of the " + what
                        + " is outside the vocabulary of " + vocabSize + " tokens (ids 0 to " + (vocabSize - 1) + ")");
            }
        }
        if (tokens.length > contextLength) {
            throw new IllegalArgumentException("the " + what + " has " + tokens.length + " tokens, more than the "
                    + "context length of " + contextLength + "; shorten it or raise contextLength");
        }
    }

    /** Throws, in words, unless every stop token of {@code config} is an id the model can produce. */
    static void checkStopTokens(GenerationConfig config, int vocabSize) {
        for (int stop : config.stopTokens()) {
            if (stop < 0 || stop >= vocabSize) {
                throw new IllegalArgumentException("stop token " + stop + " is outside the vocabulary of " + vocabSize
                        + " tokens (ids 0 to " + (vocabSize - 1) + "), so it could never stop the generation; pass "
                        + "an id of this model's tokenizer, such as its end-of-sequence token");
            }
        }
    }
}
