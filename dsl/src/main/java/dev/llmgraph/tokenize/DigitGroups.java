package dev.llmgraph.tokenize;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tiny Aya's first pre-tokenizer step, {@code \d{1,3}(?=(?:\d{3})*\b)}: a run of digits followed by a word boundary
 * cut into groups of three from the right ({@code 1|314|151}), a run followed by a letter left whole. Java's regex
 * engine runs that expression in time quadratic in the run (its look-ahead reads the rest of the run from each
 * place: 66 s for 200,000 digits), so the step is computed here in one pass, with the regex engine's own {@code \d}
 * and {@code \b}; it cuts as the expression does ({@code NamedPreTokenizersTest} compares the two on random text).
 * llama.cpp computes the expression in its own code too.
 */
final class DigitGroups {
    static final String EXPRESSION = "\\d{1,3}(?=(?:\\d{3})*\\b)";
    private static final Pattern DIGITS = Pattern.compile("\\d+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BOUNDARY = Pattern.compile("\\b", Pattern.UNICODE_CHARACTER_CLASS);

    private DigitGroups() {}

    /** The groups of {@code piece}'s digit runs that end at a word boundary, and the non-empty text between them. */
    static void split(String piece, List<String> out) {
        Matcher run = DIGITS.matcher(piece), boundary = BOUNDARY.matcher(piece).useTransparentBounds(true);
        int end = 0;
        while (run.find()) {
            if (!boundary.region(run.end(), piece.length()).lookingAt()) {
                continue;                                // a run the expression matches nowhere in
            }
            if (run.start() > end) {
                out.add(piece.substring(end, run.start()));
            }
            int digits = run.group().codePointCount(0, run.group().length());
            int at = run.start(), first = digits % 3 == 0 ? 3 : digits % 3;
            for (int group = first; at < run.end(); group = 3) {
                int next = piece.offsetByCodePoints(at, group);
                out.add(piece.substring(at, next));
                at = next;
            }
            end = run.end();
        }
        if (end < piece.length()) {
            out.add(piece.substring(end));
        }
    }
}
