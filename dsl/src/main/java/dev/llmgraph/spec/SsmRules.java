package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of {@link Ssm} and {@link Mamba2}: those one value breaks by itself (applied again here, for a record
 * made with its constructor) and those that involve the rest of the spec (a recurrence carries positions itself and
 * reads tokens strictly left to right; Mamba blocks are pre-norm and have no FFN beside the mixer).
 */
final class SsmRules {
    private SsmRules() {}

    /** Heads split the stream evenly, and groups the heads (ggml's scan and llama.cpp's mamba2 assert both). */
    private static void heads(Mamba2 m, List<SpecProblem> problems) {
        FieldRules.count("mamba2.heads", m.heads()).ifPresent(problems::add);
        FieldRules.count("mamba2.groups", m.groups()).ifPresent(problems::add);
        if (m.heads() >= 1 && m.innerDim() >= 1 && m.innerDim() % m.heads() != 0) {
            problems.add(new SpecProblem("mamba2.heads", m.heads(), "must divide innerDim = " + m.innerDim()
                    + ": every head is innerDim / heads channels wide", "Mamba-2 uses heads of 64"));
        }
        if (m.groups() >= 1 && m.heads() >= 1 && m.heads() % m.groups() != 0) {
            problems.add(new SpecProblem("mamba2.groups", m.groups(), "must divide heads = " + m.heads()
                    + ": each group of heads shares one B and one C", "use 1 group"));
        }
    }

    static Optional<SpecProblem> convWidth(int width) {
        if (width >= 2) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("ssm.convWidth", width, "must be at least 2: the causal convolution reads "
                + "the token and the convWidth - 1 before it, which the recurrent state carries", "Mamba uses 4"));
    }

    static List<SpecProblem> check(StateSpace m, ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        FieldRules.count("ssm.innerDim", m.innerDim()).ifPresent(problems::add);
        FieldRules.count("ssm.stateDim", m.stateDim()).ifPresent(problems::add);
        convWidth(m.convWidth()).ifPresent(problems::add);
        switch (m) {
            case Ssm mamba -> FieldRules.count("ssm.dtRank", mamba.dtRank()).ifPresent(problems::add);
            case Mamba2 mamba2 -> heads(mamba2, problems);
        }
        if (s.positional() == null || s.positional().addsPositions()) {
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
        if (s.hybrid() == null && (s.moe() != null || s.latent() != null)) {
            problems.add(new SpecProblem("ssm", m, "replaces both mixers of every block, so a mixture of experts or "
                    + "latent attention has no place beside it", "set moe and latentAttention to null, or interleave "
                    + "attention with .hybrid(HybridPattern.softmaxEvery(8).withOffset(4)) for Jamba's blocks, "
                    + "which have an FFN or experts"));
        } else if (s.latent() != null) {
            problems.add(new SpecProblem("ssm", m, "is interleaved with softmax attention, so latent attention has "
                    + "no place beside it", "set latentAttention to null"));
        }
        return problems;
    }
}
