package dev.llmgraph.learn;

import dev.llmgraph.display.RichDisplay;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A question at the end of a notebook, whose answer llmgraph computes itself (from a spec's accounting, a
 * positional scheme's formula, ...) so that nothing is hard-coded: {@code check(answer)} compares the
 * learner's answer with it and says right, or wrong with a hint.
 *
 * @param id        e.g. {@code 01.2}
 * @param question  what is asked
 * @param expected  computes the right answer
 * @param tolerance relative tolerance for numeric answers (0 = exact)
 * @param hint      what to look at when the answer is wrong
 */
public record Exercise(String id, String question, Supplier<Object> expected, double tolerance, String hint) {

    /** The verdict on an answer. */
    public record Verdict(Exercise exercise, Object answer, boolean right) implements RichDisplay {
        @Override
        public String toString() {
            return right ? "right: " + exercise.id() + " " + answer
                    : "not quite (" + exercise.id() + ": you answered " + answer + "). Hint: " + exercise.hint();
        }

        @Override
        public Map<String, String> mimeBundle() {
            String colour = right ? "#1a7f37" : "#b35900";
            String body = right ? "&#10004; right" : "&#10008; not quite. <b>Hint:</b> " + escape(exercise.hint());
            return Map.of("text/plain", toString(), "text/html", "<div style=\"color:" + colour + "\">Exercise "
                    + escape(exercise.id()) + ": " + body + "</div>");
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }

    /** Checks {@code answer}: numbers within the tolerance, anything else by equality (strings ignore case). */
    public Verdict check(Object answer) {
        Object want = expected.get();
        boolean right;
        if (answer instanceof Number a && want instanceof Number w) {
            double x = a.doubleValue(), y = w.doubleValue();
            right = tolerance == 0 ? x == y : Math.abs(x - y) <= tolerance * Math.max(Math.abs(y), 1e-300);
        } else if (answer instanceof String a && want instanceof String w) {
            right = a.trim().equalsIgnoreCase(w.trim());
        } else {
            right = Objects.equals(answer, want);
        }
        return new Verdict(this, answer, right);
    }

    /** The right answer (for the notebook's solution cell, hidden by default). */
    public Object answer() {
        return expected.get();
    }

    /** Printed lines stay this short: notebooks break longer output lines anywhere, even inside a word. */
    static final int LINE_WIDTH = 100;

    /** The question, wrapped between words at {@value #LINE_WIDTH} characters. */
    @Override
    public String toString() {
        return wrap("Exercise " + id + ": " + question);
    }

    /**
     * Jupyter shows standard output with CSS that breaks an overlong line at any character ("need fo" / "r"), so
     * the text arrives already broken between words.
     */
    static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : text.split(" ")) {
            int lineLength = out.length() - lineStart;
            if (lineLength > 0 && lineLength + 1 + word.length() > LINE_WIDTH) {
                out.append('\n');
                lineStart = out.length();
            } else if (lineLength > 0) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }
}
