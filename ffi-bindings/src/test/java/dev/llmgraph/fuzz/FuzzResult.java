package dev.llmgraph.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a fuzz run of one format saw: counts of each outcome, each distinct refusal with its count, and every
 * failure (crash, hang, refusal without words) with its case, its seed and the properties that replay it alone.
 */
public final class FuzzResult {
    private final String format;
    private final long seed;
    private int accepted;
    private int refused;
    private int childJvms;
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

    /** A refusal by the format's own exception with a message, as {@code Type: normalised message}. */
    void refused(String typeAndShape) {
        refused++;
        messages.merge(typeAndShape, 1, Integer::sum);
    }

    void crashed(int id, String what, String why) {
        crashes.add(failure(id, what, why));
    }

    void hung(int id, String what, String why) {
        hangs.add(failure(id, what, why));
    }

    void unhelpful(int id, String what, String thrown) {
        unhelpful.add(failure(id, what, thrown));
    }

    void childStarted() {
        childJvms++;
    }

    private String failure(int id, String what, String why) {
        return "case " + id + " of seed " + seed + (what.isEmpty() ? "" : " (" + what + ")") + ": " + why
                + "; replay: " + replay(id);
    }

    /** The system properties that run case {@code id} of this seed alone. */
    public String replay(int id) {
        return "-Dllmgraph.fuzz.seed=" + seed + " -Dllmgraph.fuzz.from=" + id + " -Dllmgraph.fuzz.cases=" + (id + 1);
    }

    public String format() {
        return format;
    }

    public int cases() {
        return accepted + refused + crashes.size() + hangs.size() + unhelpful.size();
    }

    public int accepted() {
        return accepted;
    }

    public int refused() {
        return refused;
    }

    /** Child JVMs started: one, plus one after every crash or hang. */
    public int childJvms() {
        return childJvms;
    }

    public List<String> crashes() {
        return crashes;
    }

    public List<String> hangs() {
        return hangs;
    }

    /** Refusals without words: another exception type than the format's own, or no message. */
    public List<String> unhelpful() {
        return unhelpful;
    }

    public Map<String, Integer> messages() {
        return messages;
    }

    /** The table's row: format, seed, cases, accepted, refused, crashes, hangs, unhelpful, distinct messages. */
    public String row() {
        return String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d |", format, seed, cases(), accepted,
                refused, crashes.size(), hangs.size(), unhelpful.size(), messages.size());
    }

    public static String header() {
        return "| format | seed | cases | accepted | refused | crashes | hangs | unhelpful | distinct messages |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }

    /** Every distinct refusal, most frequent first, then every failure. */
    public String details() {
        StringBuilder out = new StringBuilder(format + ": distinct refusals (count, normalised message)\n");
        messages.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.append(String.format("%6d  %s%n", e.getValue(), e.getKey())));
        crashes.forEach(c -> out.append("CRASH ").append(c).append('\n'));
        hangs.forEach(h -> out.append("HANG ").append(h).append('\n'));
        unhelpful.forEach(u -> out.append("UNHELPFUL ").append(u).append('\n'));
        return out.toString();
    }
}
