package dev.llmgraph.spec;

import java.util.Optional;

/**
 * The rules one value breaks by itself (a count below 1, a negative cap). Setters and factories apply them
 * at once and refuse the argument, quoting it; {@code build()} applies them again to values that never
 * passed a setter (a field left unset, a record made with its constructor), beside the rules that involve
 * several fields.
 */
final class FieldRules {
    private FieldRules() {}

    /** {@code value} must be at least 1. */
    static Optional<SpecProblem> count(String field, int value) {
        if (value >= 1) {
            return Optional.empty();
        }
        String hint = switch (field) {
            case "vocabSize" -> "set it with .vocabSize(n), e.g. 32000 for LLaMA's tokenizer";
            case "dModel" -> "set the residual width with .dModel(n), e.g. 4096 for LLaMA-2-7B";
            case "layers" -> "set the number of blocks with .layers(n)";
            case "contextLength" -> "set the longest sequence with .contextLength(n), e.g. 2048";
            case "attention.heads" -> "LLaMA-2-7B has 32 heads";
            case "attention.kvHeads" -> "1 is multi-query attention, heads is multi-head attention";
            case "moe.experts" -> "Mixtral-8x7B has 8 routed experts, Qwen1.5-MoE-A2.7B 60, OLMoE 64";
            case "moe.expertsPerToken" -> "Mixtral sends each token to 2 experts, Qwen1.5-MoE to 4, OLMoE to 8";
            case "moe.router.groups.count" -> "DeepSeek-V2 splits its experts into 8 groups; 1 is no grouping";
            case "moe.router.groups.kept" -> "DeepSeek-V2 keeps 3 of 8 groups per token";
            case "moe.shared.count" -> "use SharedExperts.none() for no shared experts";
            case "moe.shared.width", "moe.expert.width" -> "Qwen1.5-MoE-A2.7B's experts are 1408 wide";
            case "latentAttention.heads" -> "DeepSeek-V2-Lite has 16 heads, DeepSeek-V2 128";
            case "latentAttention.kvRank" -> "DeepSeek-V2 compresses keys and values to a latent of 512";
            case "latentAttention.nopeHeadDim" -> "DeepSeek-V2 uses 128 dimensions without RoPE per head";
            case "latentAttention.ropeHeadDim" -> "DeepSeek-V2 rotates 64 dimensions per head";
            case "latentAttention.valueHeadDim" -> "DeepSeek-V2's value heads are 128 wide";
            case "ssm.innerDim" -> "Mamba expands the stream to 2 x dModel channels";
            case "ssm.stateDim" -> "Mamba keeps 16 state values per channel";
            case "ssm.dtRank" -> "Mamba uses ceil(dModel / 16)";
            case "mamba2.heads" -> "Mamba-2 uses heads of 64: innerDim / 64 heads";
            case "mamba2.groups" -> "the released Mamba-2 models use 1 group";
            case "rwkv.headSize" -> "RWKV-6 and RWKV-7 use heads of 64";
            case "rwkv.ffnDim" -> "RWKV-6 1.6B's channel mixing is 7168 wide, RWKV-7 1.5B's 8192";
            case "rwkv.mixRank" -> "RWKV-6 1.6B's token-shift LoRA has rank 32 (time_mix_extra_dim)";
            case "rwkv.decayRank" -> "RWKV-6 1.6B's decay LoRA has rank 64, RWKV-7 1.5B's 96";
            case "rwkv.iclrRank" -> "RWKV-7 1.5B's in-context learning rate LoRA has rank 96";
            case "rwkv.valueRank" -> "RWKV-7 1.5B's value residual LoRA has rank 64";
            case "rwkv.gateRank" -> "RWKV-7 1.5B's output gate LoRA has rank 256";
            case "linear.heads" -> "TransNormerLLM-385M has 8 heads of 128";
            case "linear.decay.rank" -> "GLA's gate projection has rank 16";
            default -> throw new IllegalArgumentException("no count rule for " + field);
        };
        return Optional.of(new SpecProblem(field, value, "must be at least 1", hint));
    }

    /** The most layers a spec may have: the plan holds every layer, and published models stop near 100. */
    static final int MAX_LAYERS = 10_000;

    /** {@code layers} must be at least 1 and at most {@link #MAX_LAYERS}. */
    static Optional<SpecProblem> layers(int layers) {
        if (layers > MAX_LAYERS) {
            return Optional.of(new SpecProblem("layers", layers, "must be at most " + MAX_LAYERS + ": the plan "
                    + "describes every layer", "the deepest published models have about 100 (LLaMA-2-70B: 80)"));
        }
        return count("layers", layers);
    }

    /** The most parameters a spec may have: sizes, bytes and FLOPs are counted in 64-bit integers. */
    static final double MAX_PARAMETERS = 1e15;

    /** The weights of a spec that passed every other rule must hold at most {@link #MAX_PARAMETERS}. */
    static Optional<SpecProblem> size(java.util.List<WeightLayout.Weight> weights) {
        double parameters = 0; // in double: the long product is what could overflow
        for (WeightLayout.Weight w : weights) {
            parameters += java.util.Arrays.stream(w.ne()).asDoubleStream().reduce(1, (a, b) -> a * b);
        }
        if (parameters <= MAX_PARAMETERS) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("parameters", String.format(java.util.Locale.ROOT, "%.3g", parameters),
                "must be at most 1e15: llmgraph counts sizes, bytes and FLOPs in 64-bit integers",
                "the largest published models have about 1e12; lower dModel, the FFN width, experts or layers"));
    }

    /** A soft-capping constant: 0 (off) or positive. */
    static Optional<SpecProblem> softcap(String field, double value, String hint) {
        if (value < 0 || Double.isNaN(value)) {
            return Optional.of(new SpecProblem(field, value, "must be 0 (off) or positive", hint));
        }
        return Optional.empty();
    }

    /** A positive finite number. */
    static Optional<SpecProblem> positive(String field, double value, String hint) {
        if (value > 0 && Double.isFinite(value)) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem(field, value, "must be a positive number", hint));
    }

    /** A token can go to at most every expert. */
    static Optional<SpecProblem> expertsPerToken(int k, int experts) {
        if (k <= experts || experts < 1) {
            return Optional.empty();
        }
        return Optional.of(new SpecProblem("moe.expertsPerToken", k, "must be at most experts = " + experts
                + ": a token cannot go to more experts than there are", "Mixtral routes each token to 2 of 8"));
    }

    /** Refuses the argument now when {@code problem} is present. */
    static void refuse(Optional<SpecProblem> problem) {
        problem.ifPresent(p -> {
            throw new IllegalArgumentException(p.toString());
        });
    }
}
