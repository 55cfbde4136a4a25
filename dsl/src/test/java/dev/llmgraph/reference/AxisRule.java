package dev.llmgraph.reference;

import java.util.Set;

/**
 * Why a value of one axis cannot meet some values of other axes in a sampled architecture. Each rule carries its
 * reason in words; {@code ReferenceForwardTest} checks that every pair a rule skips is one the spec refuses or one
 * that changes nothing, so that no valid pair is skipped by mistake.
 */
sealed interface AxisRule {
    String why();

    /** The value combines only with the listed values of {@code axis}: the spec refuses the others. */
    record Only(String axis, Set<String> labels, String why) implements AxisRule {}

    /** The value leaves each of {@code axes} without effect (their setting is dropped or refused): they do not apply. */
    record Drops(Set<String> axes, String why) implements AxisRule {}

    static Only only(String axis, String label, String why) {
        return new Only(axis, Set.of(label), why);
    }

    static Drops drops(String why, String... axes) {
        return new Drops(Set.of(axes), why);
    }
}
