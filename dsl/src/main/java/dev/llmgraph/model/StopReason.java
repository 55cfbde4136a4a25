package dev.llmgraph.model;

/** Why {@link Model#generate} stopped: every generation ends for exactly one of these. */
public enum StopReason {
    /** It produced {@link GenerationConfig#maxNewTokens()} tokens. */
    MAX_TOKENS("max tokens"),
    /** The KV cache reached the model's context length before maxNewTokens. */
    CONTEXT_FULL("context full"),
    /** It produced one of {@link GenerationConfig#stopTokens()} (kept as the last token). */
    STOP_TOKEN("stop token"),
    /** The thread was interrupted (the notebook's stop button, Ctrl-C in JShell): the tokens so far. */
    INTERRUPTED("interrupted");

    private final String words;

    StopReason(String words) {
        this.words = words;
    }

    /** The reason in words, as {@link Generation#toString()} prints it. */
    @Override
    public String toString() {
        return words;
    }
}
