package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of {@link LatentAttention}: those one value breaks by itself (applied again here, for a record made
 * with its constructor) and those that involve the rest of the spec (a latent wider than the residual stream
 * compresses nothing; the decoupled RoPE key needs RoPE).
 */
final class LatentRules {
    private LatentRules() {}

    /** RoPE turns pairs of dimensions, so the rotated head size must be even. */
    static Optional<SpecProblem> evenRope(int rope) {
        if (rope % 2 == 0) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("latentAttention.ropeHeadDim", rope, "must be even: RoPE rotates pairs of "
                + "dimensions", "DeepSeek-V2 rotates 64"));
    }

    static List<SpecProblem> check(LatentAttention l, ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        FieldRules.count("latentAttention.heads", l.heads()).ifPresent(problems::add);
        FieldRules.count("latentAttention.kvRank", l.kvRank()).ifPresent(problems::add);
        FieldRules.count("latentAttention.nopeHeadDim", l.nopeHeadDim()).ifPresent(problems::add);
        FieldRules.count("latentAttention.ropeHeadDim", l.ropeHeadDim()).ifPresent(problems::add);
        FieldRules.count("latentAttention.valueHeadDim", l.valueHeadDim()).ifPresent(problems::add);
        if (l.ropeHeadDim() >= 1) {
            evenRope(l.ropeHeadDim()).ifPresent(problems::add);
        }
        FieldRules.positive("latentAttention.yarnMscale", l.yarnMscale(),
                "DeepSeek-V2 uses 0.707; 1 is YaRN's own 0.1 ln s + 1").ifPresent(problems::add);
        if (s.dModel() >= 1 && l.kvRank() > s.dModel()) {
            problems.add(new SpecProblem("latentAttention.kvRank", l.kvRank(), "must be at most dModel = " + s.dModel()
                    + ": the latent compresses each token's keys and values, so it is narrower than the token",
                    "DeepSeek-V2 caches 512 values for a dModel of 5120"));
        }
        if (l.queryRank() < 0) {
            problems.add(new SpecProblem("latentAttention.queryRank", l.queryRank(), "must be 0 (no low-rank query) "
                    + "or positive", "DeepSeek-V2 uses 1536, V2-Lite 0"));
        } else if (s.dModel() >= 1 && l.queryRank() > s.dModel()) {
            problems.add(new SpecProblem("latentAttention.queryRank", l.queryRank(), "must be at most dModel = "
                    + s.dModel() + ": a low-rank query projection narrower than the token saves weights",
                    "DeepSeek-V2 uses 1536 for a dModel of 5120; 0 projects queries directly"));
        }
        switch (s.positional()) {
            case Positional.Rope rope -> {
                if (rope.rotatedDims(l.ropeHeadDim()) != l.ropeHeadDim()) {
                    problems.add(new SpecProblem("positional.fraction", rope.fraction(), "must be 1 with latent "
                            + "attention: its RoPE dimensions are the ropeHeadDim ones, all rotated", "set the rotated "
                            + "size with LatentAttention.withHeadDims(nope, rope, value) instead"));
                }
            }
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> problems.add(new SpecProblem("positional", s.positional(), "latent attention "
                    + "carries positions in its decoupled RoPE key, so it needs RoPE",
                    "use .positional(Positional.rope(10_000))"));
        }
        if (s.parallelBlock()) {
            problems.add(new SpecProblem("parallelBlock", true, "is not lowered with latent attention",
                    "DeepSeek-V2 runs attention and FFN one after the other"));
        }
        return problems;
    }
}
