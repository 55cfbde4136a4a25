package dev.llmgraph.text;

import dev.llmgraph.model.Generation;
import dev.llmgraph.model.StopReason;

/**
 * The result of {@link TextModel#generate}: the text and the ids behind it.
 *
 * @param prompt     the text the model read: the prompt, or the conversation formatted by the chat template
 * @param text       the generated text: the pieces of the generated ids, without the end-of-generation token
 *                   that stopped it (the same text the {@link PieceListener} heard, piece by piece)
 * @param generation the ids (prompt and generated, a stop token kept last), why it stopped and the speeds
 */
public record TextGeneration(String prompt, String text, Generation generation) {
    /** The prompt's ids. */
    public int[] promptIds() {
        return generation.prompt();
    }

    /** The generated ids. */
    public int[] ids() {
        return generation.tokens();
    }

    public StopReason stopReason() {
        return generation.stopReason();
    }

    /** Why it stopped, in words: {@code max tokens (20)}, {@code context full (128 tokens, ...)}, ... */
    public String stopped() {
        return generation.stopped();
    }

    /** The text, then the generation's table (ids, why it stopped, speeds). */
    @Override
    public String toString() {
        return text + "\n---\n" + generation;
    }
}
