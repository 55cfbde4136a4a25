package dev.llmgraph.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's pre-tokenisation, as llama.cpp applies it to a WordPiece ({@code bert}) vocabulary and Hugging Face's
 * {@code BertNormalizer} and {@code BertPreTokenizer} do: whitespace separates words; control characters, U+0000 and
 * U+FFFD are dropped; every punctuation mark, every ASCII symbol and every CJK ideograph is a word of its own; where
 * asked, accents are stripped (Unicode's NFD, then its non-spacing marks dropped) and the words lower-cased.
 */
final class WordSplitter {
    private WordSplitter() {}

    /** The words of {@code text}, case and accents kept. */
    static List<String> words(String text) {
        return words(text, false, false);
    }

    static List<String> words(String text, boolean lowercase, boolean stripAccents) {
        if (stripAccents) {
            text = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD);
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhitespace(cp)) {
                flush(word, words);
            } else if (cp == 0 || cp == 0xFFFD || isControl(cp)
                    || stripAccents && Character.getType(cp) == Character.NON_SPACING_MARK) {
                continue;
            } else if (isPunctuation(cp) || (cp < 0x7F && isSymbol(cp)) || isChinese(cp)) {
                flush(word, words);
                words.add(Character.toString(lowercase ? Character.toLowerCase(cp) : cp));
            } else {
                word.appendCodePoint(lowercase ? Character.toLowerCase(cp) : cp);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** Unicode's White_Space property. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** General category C: control, format, surrogate, private use, unassigned. */
    private static boolean isControl(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
                || t == Character.PRIVATE_USE || t == Character.UNASSIGNED;
    }

    private static boolean isPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static boolean isSymbol(int cp) {
        return switch (Character.getType(cp)) {
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** The CJK blocks BERT splits into single characters (as llama.cpp lists them). */
    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
