package dev.llmgraph.model;

import java.util.function.IntConsumer;

/**
 * How to generate.
 *
 * @param maxNewTokens tokens to generate at most
 * @param sampler      how each token is picked
 * @param stopTokens   generation ends after any of these (e.g. the tokenizer's end-of-sequence id)
 * @param onToken      called with each new token as it is produced (may be null)
 */
public record GenerationConfig(int maxNewTokens, Sampler sampler, int[] stopTokens, IntConsumer onToken) {
    public GenerationConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens = " + maxNewTokens + ": must be at least 1");
        }
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, Sampler.greedy(), null, null);
    }

    public static GenerationConfig of(int maxNewTokens, Sampler sampler) {
        return new GenerationConfig(maxNewTokens, sampler, null, null);
    }

    public GenerationConfig withStopTokens(int... stopTokens) {
        return new GenerationConfig(maxNewTokens, sampler, stopTokens, onToken);
    }

    public GenerationConfig withOnToken(IntConsumer onToken) {
        return new GenerationConfig(maxNewTokens, sampler, stopTokens, onToken);
    }

    /** The settings in words, e.g. {@code up to 20 new tokens, greedy, stop at [2]}. */
    @Override
    public String toString() {
        return "up to " + maxNewTokens + " new tokens, " + sampler
                + (stopTokens.length == 0 ? "" : ", stop at " + java.util.Arrays.toString(stopTokens))
                + (onToken == null ? "" : ", with a callback for each token");
    }

    boolean isStop(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }
}
