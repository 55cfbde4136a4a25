package dev.llmgraph.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenisation: text is cut into words before BPE, and no merge crosses a word's edge. A word
 * is an English contraction suffix, a run of letters or of digits or of other symbols (each with the space
 * before it), or a run of whitespace. llama.cpp applies the same rule to a GGUF whose
 * {@code tokenizer.ggml.pre} is {@code gpt-2}; \s, \p{L} and \p{N} follow Unicode, as there.
 */
public final class PreTokenizer {
    private static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizer() {}

    /** The words of {@code text}, in order; joined they give the text back. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
