package dev.llmgraph.model;

import java.util.Arrays;

/**
 * The result of {@link Model#generate}: the new tokens, why generation stopped, and how long it took.
 *
 * @param prompt          the prompt ids
 * @param tokens          the generated ids
 * @param promptSeconds   time to process the prompt (prefill)
 * @param generateSeconds time to generate the tokens after the first (decode)
 * @param stopReason      why it stopped: max tokens, context full, a stop token, or an interrupt
 * @param limit           what the stop reason refers to: maxNewTokens, the context length, or the stop token
 *                        (0 for an interrupt)
 */
public record Generation(int[] prompt, int[] tokens, double promptSeconds, double generateSeconds,
                         StopReason stopReason, int limit) {
    /** Prompt tokens processed per second. */
    public double promptTokensPerSecond() {
        return prompt.length / promptSeconds;
    }

    /** Generated tokens per second during decoding (the first token comes with the prompt). */
    public double tokensPerSecond() {
        return tokens.length <= 1 ? Double.NaN : (tokens.length - 1) / generateSeconds;
    }

    /** Why it stopped, in words: {@code max tokens (20)}, {@code context full (128 tokens)}, ... */
    public String stopped() {
        return switch (stopReason) {
            case MAX_TOKENS -> "max tokens (" + limit + ")";
            case CONTEXT_FULL -> "context full (" + limit + " tokens, prompt included; maxNewTokens was not reached)";
            case STOP_TOKEN -> "stop token (" + limit + ")";
            case INTERRUPTED -> "interrupted (the tokens generated until then)";
        };
    }

    /** A small table: the tokens, why generation stopped, and the speeds of its two phases. */
    @Override
    public String toString() {
        return String.format("""
                generation of %d token%s after a prompt of %d
                  tokens      %s
                  stopped     %s
                  prompt      %d tokens in %.3f s, %.1f tok/s
                  generation  %s""", tokens.length, tokens.length == 1 ? "" : "s", prompt.length,
                Arrays.toString(tokens), stopped(), prompt.length, promptSeconds, promptTokensPerSecond(),
                tokens.length <= 1 ? "one token, which came with the prompt"
                        : String.format("%d tokens in %.3f s, %.1f tok/s (the first came with the prompt)",
                        tokens.length - 1, generateSeconds, tokensPerSecond()));
    }
}
