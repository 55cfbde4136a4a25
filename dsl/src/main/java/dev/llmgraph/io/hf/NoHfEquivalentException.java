package dev.llmgraph.io.hf;

import java.util.List;

/**
 * A spec that no Hugging Face model type llmgraph writes can describe. The message names the closest type
 * and every choice of the spec that type cannot express, one per line.
 */
public final class NoHfEquivalentException extends IllegalArgumentException {
    private final HfModelType closest;
    private final List<String> problems;

    NoHfEquivalentException(String specName, HfModelType closest, List<String> problems, boolean typeWasChosen) {
        super(message(specName, closest, problems, typeWasChosen));
        this.closest = closest;
        this.problems = List.copyOf(problems);
    }

    /** The type that came closest (or the one that was asked for). */
    public HfModelType closest() {
        return closest;
    }

    /** Each choice that has no equivalent, as "field = value: reason". */
    public List<String> problems() {
        return problems;
    }

    private static String message(String specName, HfModelType closest, List<String> problems, boolean chosen) {
        StringBuilder sb = new StringBuilder("spec '").append(specName).append("' ");
        if (chosen) {
            sb.append("cannot be written as HF ").append(closest.id()).append(":");
        } else {
            sb.append("has no HF config.json equivalent among ").append(HfModelType.known())
                    .append("; the closest, ").append(closest.id()).append(", differs in:");
        }
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
