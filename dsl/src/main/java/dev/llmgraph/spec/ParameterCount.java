package dev.llmgraph.spec;

import java.util.Map;

/** Learned parameters per component (in model order) and in total. */
public record ParameterCount(Map<String, Long> components) {
    public ParameterCount {
        components = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(components));
    }

    public long total() {
        return components.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Parameters of one component, 0 if absent. */
    public long of(String component) {
        return components.getOrDefault(component, 0L);
    }

    /** 124 439 808 as "124.4M", 6 738 415 616 as "6.74B". */
    public static String human(long n) {
        if (n >= 1_000_000_000L) {
            return String.format("%.2fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format("%.1fM", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format("%.1fK", n / 1e3);
        }
        return Long.toString(n);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        long total = total();
        for (var e : components.entrySet()) {
            sb.append(String.format("%-16s %,15d  %5.1f%%%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / total));
        }
        return sb.append(String.format("%-16s %,15d  (%s)", "total", total, human(total))).toString();
    }
}
