package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of {@link Ssm}: those one value breaks by itself (applied again here, for a record made with its
 * constructor) and those that involve the rest of the spec (a recurrence carries positions itself and reads
 * tokens strictly left to right; Mamba blocks are pre-norm and have no FFN beside the mixer).
 */
final class SsmRules {
    private SsmRules() {}

    static Optional<SpecProblem> convWidth(int width) {
        if (width >= 2) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("ssm.convWidth", width, "must be at least 2: the causal convolution reads "
                + "the token and the convWidth - 1 before it, which the recurrent state carries", "Mamba uses 4"));
    }

    static List<SpecProblem> check(Ssm m, ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        FieldRules.count("ssm.innerDim", m.innerDim()).ifPresent(problems::add);
        FieldRules.count("ssm.stateDim", m.stateDim()).ifPresent(problems::add);
        convWidth(m.convWidth()).ifPresent(problems::add);
        FieldRules.count("ssm.dtRank", m.dtRank()).ifPresent(problems::add);
        if (!(s.positional() instanceof Positional.None)) {
            problems.add(new SpecProblem("positional", s.positional(), "a state space model takes positions from its "
                    + "convolution and its recurrence, so it adds none", "use .positional(Positional.none())"));
        }
        if (s.kind() == ArchitectureKind.PREFIX_DECODER) {
            problems.add(new SpecProblem("kind", s.kind(), "a recurrence reads tokens strictly left to right, so it "
                    + "has no bidirectional prefix", "use Transformer.causalDecoder"));
        }
        if (s.placement() != NormPlacement.PRE || s.parallelBlock()) {
            problems.add(new SpecProblem("placement", s.placement() + (s.parallelBlock() ? ", parallel" : ""),
                    "Mamba blocks are x + Mamba(Norm(x)): only PRE placement without a parallel block is lowered",
                    "use .norm(Norm.rms(1e-5), NormPlacement.PRE)"));
        }
        if (s.moe() != null || s.latent() != null) {
            problems.add(new SpecProblem("ssm", m, "replaces both mixers of every block, so a mixture of experts or "
                    + "latent attention has no place beside it", "set moe and latentAttention to null"));
        }
        return problems;
    }
}
