package dev.llmgraph.spec;

/** Bytes for weights, the KV cache and activations; {@link #total()} is the estimated peak. */
public record MemoryEstimate(long weights, long kvCache, long activations) {
    public long total() {
        return weights + kvCache + activations;
    }

    /** Bytes in GiB (two decimals), MiB or, below one MiB, KiB (one decimal). */
    public static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.2f GiB", bytes / (double) (1L << 30))
                : bytes >= 1L << 20 ? String.format("%.1f MiB", bytes / (double) (1L << 20))
                : String.format("%.1f KiB", bytes / 1024.0);
    }

    @Override
    public String toString() {
        return "weights " + gib(weights) + " + KV cache " + gib(kvCache) + " + activations " + gib(activations)
                + " = " + gib(total());
    }
}
