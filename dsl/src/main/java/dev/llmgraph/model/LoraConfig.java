package dev.llmgraph.model;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a LoRA adapter adds to a model (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language
 * Models"): on each target projection W, a trainable update of rank {@code rank}, scaled by alpha / rank.
 * <pre>
 *   y = W x + (alpha / rank) * B (A x)        W [in, out], A [in, rank], B [rank, out]   (ggml order)
 *
 *        x ──────────── W ─────────────┐
 *        │                              (+)── y        A: rank x in, random at first
 *        └── A ── B ── x (alpha/rank) ─┘              B: out x rank, zero at first, so y = W x until trained
 * </pre>
 * {@code targets} are regular expressions, each matched against the whole projection name of a block
 * ({@link LoraTargets#PROJECTIONS}: {@code attn_q}, {@code attn_k}, {@code attn_v}, {@code attn_output},
 * {@code ffn_gate}, {@code ffn_up}, {@code ffn_down}); {@code "attn_[qv]"} is the paper's choice, {@link #allLinear}
 * every projection. {@code seed} draws A.
 */
public record LoraConfig(int rank, double alpha, List<String> targets, long seed) {
    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("rank = " + rank + ": a LoRA update needs rank at least 1 (the paper "
                    + "uses 1 to 64)");
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha = " + alpha + ": must be a positive number (the update is scaled "
                    + "by alpha / rank; alpha = rank or 2 x rank is common)");
        }
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a LoRA adapter needs at least one target projection, e.g. \"attn_q\"");
        }
        for (String target : targets) {
            try {
                Pattern.compile(target);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("LoRA target \"" + target + "\" is not a regular expression: "
                        + e.getDescription());
            }
        }
    }

    /** Rank {@code rank} updates on the projections {@code targets} match, A drawn with seed 0. */
    public static LoraConfig of(int rank, double alpha, String... targets) {
        return new LoraConfig(rank, alpha, List.of(targets), 0);
    }

    /** Rank {@code rank} updates on every projection of every block. */
    public static LoraConfig allLinear(int rank, double alpha) {
        return new LoraConfig(rank, alpha, LoraTargets.PROJECTIONS, 0);
    }

    public LoraConfig withSeed(long seed) {
        return new LoraConfig(rank, alpha, targets, seed);
    }

    /** alpha / rank, the factor on B A. */
    public double scale() {
        return alpha / rank;
    }
}
