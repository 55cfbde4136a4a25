package dev.llmgraph.spec;

import java.util.List;

/** A spec broke one or more rules; the message lists all of them, one per line. */
public final class InvalidSpecException extends IllegalArgumentException {
    private final List<SpecProblem> problems;

    public InvalidSpecException(String name, List<SpecProblem> problems) {
        super(message(name, problems));
        this.problems = List.copyOf(problems);
    }

    public List<SpecProblem> problems() {
        return problems;
    }

    private static String message(String name, List<SpecProblem> problems) {
        StringBuilder sb = new StringBuilder("spec '").append(name).append("' has ").append(problems.size())
                .append(problems.size() == 1 ? " problem:" : " problems:");
        for (SpecProblem p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
