package dev.llmgraph.model;

import java.util.Arrays;

/**
 * The result of {@link Model#generate}: the new tokens and how long it took.
 *
 * @param prompt          the prompt ids
 * @param tokens          the generated ids
 * @param promptSeconds   time to process the prompt (prefill)
 * @param generateSeconds time to generate the tokens after the first (decode)
 */
public record Generation(int[] prompt, int[] tokens, double promptSeconds, double generateSeconds) {
    /** Prompt tokens processed per second. */
    public double promptTokensPerSecond() {
        return prompt.length / promptSeconds;
    }

    /** Generated tokens per second during decoding (the first token comes with the prompt). */
    public double tokensPerSecond() {
        return tokens.length <= 1 ? Double.NaN : (tokens.length - 1) / generateSeconds;
    }

    @Override
    public String toString() {
        return String.format("%d tokens %s; prompt %d tokens at %.1f tok/s, generation %.1f tok/s", tokens.length,
                Arrays.toString(tokens), prompt.length, promptTokensPerSecond(), tokensPerSecond());
    }
}
