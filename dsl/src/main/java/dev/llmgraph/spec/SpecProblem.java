package dev.llmgraph.spec;

/**
 * One thing wrong with a spec: which field, its value, the rule it breaks and how to fix it.
 * {@link #toString()} is the sentence the learner reads.
 */
public record SpecProblem(String field, Object value, String rule, String hint) {
    @Override
    public String toString() {
        return field + " = " + value + ": " + rule + (hint.isEmpty() ? "" : "; " + hint);
    }
}
