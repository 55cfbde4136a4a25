package dev.llmgraph.tokenize;

/** Checks on text given to tokenizers (and to models that take text). */
public final class TextChecks {
    private TextChecks() {}

    /** Refuses a string with a lone UTF-16 surrogate: it has no UTF-8 form, so no token sequence. */
    public static void requireWellFormed(String text, String what) {
        if (text == null) {
            throw new IllegalArgumentException(what + " is null; pass a string");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " holds a lone UTF-16 surrogate U+"
                        + String.format("%04X", (int) c) + " at index " + i + ", which is not text (no UTF-8 form); "
                        + "remove it or read the text with a strict UTF-8 decoder");
            }
        }
    }
}
