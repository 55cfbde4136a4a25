package dev.llmgraph.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a fuzz run of one format saw: counts of each outcome, each distinct refusal with its count, failures. */
final class FuzzResult {
    private final String format;
    private final long seed;
    private int accepted;
    private int refused;
    private final Map<String, Integer> messages = new TreeMap<>();
    private final List<String> crashes = new ArrayList<>();
    private final List<String> hangs = new ArrayList<>();
    private final List<String> unhelpful = new ArrayList<>();

    FuzzResult(String format, long seed) {
        this.format = format;
        this.seed = seed;
    }

    void accept() {
        accepted++;
    }

    void refused(String shape, String type) {
        refused++;
        messages.merge(type + ": " + shape, 1, Integer::sum);
    }

    void crashed(int id, String what, String error) {
        crashes.add("case " + id + " (" + what + "): " + error);
    }

    void hung(int id, String what) {
        hangs.add("case " + id + " (" + what + ")");
    }

    void unhelpful(int id, String what, String thrown) {
        unhelpful.add("case " + id + " (" + what + "): " + thrown);
    }

    String format() {
        return format;
    }

    int cases() {
        return accepted + refused + crashes.size() + hangs.size() + unhelpful.size();
    }

    int accepted() {
        return accepted;
    }

    int refused() {
        return refused;
    }

    List<String> crashes() {
        return crashes;
    }

    List<String> hangs() {
        return hangs;
    }

    List<String> unhelpful() {
        return unhelpful;
    }

    Map<String, Integer> messages() {
        return messages;
    }

    /** The table's row: format, seed, cases, accepted, refused, crashes, hangs, unhelpful, distinct messages. */
    String row() {
        return String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d |", format, seed, cases(), accepted,
                refused, crashes.size(), hangs.size(), unhelpful.size(), messages.size());
    }

    static String header() {
        return "| format | seed | cases | accepted | refused | crashes | hangs | unhelpful | distinct messages |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }

    /** Every distinct refusal, most frequent first, then every failure. */
    String details() {
        StringBuilder out = new StringBuilder(format + ": distinct refusals (count, normalised message)\n");
        messages.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.append(String.format("%6d  %s%n", e.getValue(), e.getKey())));
        crashes.forEach(c -> out.append("CRASH ").append(c).append('\n'));
        hangs.forEach(h -> out.append("HANG ").append(h).append('\n'));
        unhelpful.forEach(u -> out.append("UNHELPFUL ").append(u).append('\n'));
        return out.toString();
    }
}
