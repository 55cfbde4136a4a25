package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of {@link Rwkv6} and {@link Rwkv7}: sizes at least 1 (applied again here, for a record made with its
 * constructor), heads that split dModel evenly (ggml's WKV kernels assume it), and what the rest of the spec must be
 * beside RWKV (positions come from the token shift and the recurrence, tokens are read left to right, blocks are
 * pre-norm with RWKV's own channel mixing).
 */
final class RwkvRules {
    private RwkvRules() {}

    static List<SpecProblem> check(Rwkv m, ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        FieldRules.count("rwkv.headSize", m.headSize()).ifPresent(problems::add);
        FieldRules.count("rwkv.ffnDim", m.ffnDim()).ifPresent(problems::add);
        switch (m) {
            case Rwkv6 six -> {
                FieldRules.count("rwkv.mixRank", six.mixRank()).ifPresent(problems::add);
                FieldRules.count("rwkv.decayRank", six.decayRank()).ifPresent(problems::add);
            }
            case Rwkv7 seven -> {
                FieldRules.count("rwkv.decayRank", seven.decayRank()).ifPresent(problems::add);
                FieldRules.count("rwkv.iclrRank", seven.iclrRank()).ifPresent(problems::add);
                FieldRules.count("rwkv.valueRank", seven.valueRank()).ifPresent(problems::add);
                FieldRules.count("rwkv.gateRank", seven.gateRank()).ifPresent(problems::add);
            }
        }
        headSize(m, s.dModel()).ifPresent(problems::add);
        if (m.headSize() >= 1 && m.headSize() != 64 && m.headSize() != 128) {
            problems.add(new SpecProblem("rwkv.headSize", m.headSize(), "must be 64 or 128: ggml's WKV kernels are "
                    + "written for those head sizes", "RWKV-6 and RWKV-7 use heads of 64"));
        }
        if (s.positional() == null || s.positional().addsPositions()) {
            problems.add(new SpecProblem("positional", s.positional(), "RWKV takes positions from its token shift "
                    + "and its decaying recurrence, so it adds none", "use .positional(Positional.none())"));
        }
        if (s.kind() == ArchitectureKind.PREFIX_DECODER) {
            problems.add(new SpecProblem("kind", s.kind(), "a recurrence reads tokens strictly left to right, so it "
                    + "has no bidirectional prefix", "use Transformer.causalDecoder"));
        }
        if (s.placement() != NormPlacement.PRE || s.parallelBlock()) {
            problems.add(new SpecProblem("placement", s.placement() + (s.parallelBlock() ? ", parallel" : ""),
                    "RWKV blocks are x + TimeMix(Norm(x)), x + ChannelMix(Norm(x)): only PRE placement without a "
                            + "parallel block is lowered", "use .norm(Norm.layer(1e-5), NormPlacement.PRE)"));
        }
        if (s.moe() != null || s.latent() != null || s.ssm() != null) {
            problems.add(new SpecProblem("rwkv", m, "brings its own time and channel mixing, so a mixture of experts, "
                    + "latent attention or a state space has no place beside it", "set moe, latentAttention and ssm "
                    + "to null"));
        }
        return problems;
    }

    /** Every head is headSize channels of the dModel-wide stream. */
    private static Optional<SpecProblem> headSize(Rwkv m, int dModel) {
        if (m.headSize() < 1 || dModel < 1 || dModel % m.headSize() == 0) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("rwkv.headSize", m.headSize(), "must divide dModel = " + dModel
                + ": the stream is split into heads of headSize channels, each with a headSize x headSize state",
                "RWKV-6 and RWKV-7 use heads of 64"));
    }
}
