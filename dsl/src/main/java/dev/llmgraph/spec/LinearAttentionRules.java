package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules of {@link LinearAttention}: heads that split dModel into heads of 64 or 128 (ggml's gated_linear_attn
 * has CUDA kernels for those only), a feature map and a decay that are set, gates of rank at least 1 and a positive
 * temperature, a fixed schedule with one rate in (0, 1] per head, no LRPE, and what the rest of the spec must be
 * beside it (no positions added, tokens read left to right, no other mixer).
 */
final class LinearAttentionRules {
    private LinearAttentionRules() {}

    static List<SpecProblem> check(LinearAttention m, ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        FieldRules.count("linear.heads", m.heads()).ifPresent(problems::add);
        if (m.heads() >= 1 && s.dModel() >= 1) {
            if (s.dModel() % m.heads() != 0) {
                problems.add(new SpecProblem("linear.heads", m.heads(), "must divide dModel = " + s.dModel()
                        + ": each head is dModel / heads channels wide", "use heads = dModel / 64 or dModel / 128"));
            } else if (m.headDim(s.dModel()) != 64 && m.headDim(s.dModel()) != 128) {
                problems.add(new SpecProblem("linear.heads", m.heads(), "gives heads of dModel / heads = "
                        + m.headDim(s.dModel()) + " channels; ggml's gated_linear_attn runs heads of 64 or 128",
                        "use heads = dModel / 64 or dModel / 128"));
            }
        }
        if (m.featureMap() == null) {
            problems.add(new SpecProblem("linear.featureMap", null, "must be set",
                    "FeatureMap.IDENTITY (RetNet, GLA), FeatureMap.SILU (TransNormerLLM) or FeatureMap.ELU_PLUS_ONE"));
        }
        switch (m.decay()) {
            case null -> problems.add(new SpecProblem("linear.decay", null, "must be set", "LinearDecay.none(), "
                    + "LinearDecay.fixed(DecaySchedule.retNet()) or LinearDecay.gated(16, 16)"));
            case LinearDecay.None _ -> { }
            case LinearDecay.Fixed f -> schedule(f.schedule(), m.heads(), s.layers(), problems);
            case LinearDecay.Gated g -> {
                FieldRules.count("linear.decay.rank", g.rank()).ifPresent(problems::add);
                if (!(g.temperature() > 0) || Double.isInfinite(g.temperature())) {
                    problems.add(new SpecProblem("linear.decay.temperature", g.temperature(), "must be a positive "
                            + "number: the gate is sigmoid(.)^(1 / temperature)", "GLA uses 16"));
                }
            }
        }
        if (m.lrpe()) {
            problems.add(new SpecProblem("linear.lrpe", true, "is not lowered: LRPE turns each query and key into "
                    + "its cos and sin features (twice headDim), while ggml's gated_linear_attn takes queries, keys "
                    + "and values of one head size, and a rotation whose angles are learned per channel has no ggml "
                    + "kernel to apply them", "use .withLrpe(false); TransNormerLLM uses LRPE on its first layer only"));
        }
        if (s.positional() == null || s.positional().addsPositions()) {
            problems.add(new SpecProblem("positional", s.positional(), "linear attention takes order from its causal "
                    + "recurrence and its decay, so it adds no positions", "use .positional(Positional.none())"));
        }
        if (s.kind() == ArchitectureKind.PREFIX_DECODER) {
            problems.add(new SpecProblem("kind", s.kind(), "a recurrence reads tokens strictly left to right, so it "
                    + "has no bidirectional prefix", "use Transformer.causalDecoder"));
        }
        if (s.latent() != null || s.ssm() != null || s.rwkv() != null) {
            problems.add(new SpecProblem("linear", m, "is every layer's sequence mixer, so latent attention, a state "
                    + "space or RWKV has no place beside it", "set latentAttention, ssm and rwkv to null"));
        }
        return problems;
    }

    /**
     * A hybrid pattern needs the recurrent mixer it interleaves (linear attention or a state space; RWKV brings its
     * own channel mixing, so it is not interleaved) and the softmax attention it puts in.
     */
    static List<SpecProblem> checkHybrid(HybridPattern p, ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        if (p.softmaxEvery() < 2) {
            problems.add(HybridPattern.problem(p.softmaxEvery()));
        } else if (p.offset() < 0 || p.offset() >= p.softmaxEvery()) {
            problems.add(new SpecProblem("hybrid.offset", p.offset(), "must lie in 0 .. " + (p.softmaxEvery() - 1)
                    + ": the softmax layer's index within each period of " + p.softmaxEvery(), "Jamba uses "
                    + "HybridPattern.softmaxEvery(8).withOffset(4)"));
        }
        if (s.rwkv() != null) {
            problems.add(new SpecProblem("hybrid", p, "interleaves softmax attention with RWKV, whose blocks bring "
                    + "their own channel mixing; llmgraph interleaves linear attention or Mamba", "drop the hybrid "
                    + "pattern, or use .linearAttention(...) or .ssm(Ssm.mamba(dModel)) instead of .rwkv(...)"));
        } else if (s.linear() == null && s.ssm() == null) {
            problems.add(new SpecProblem("hybrid", p, "interleaves softmax attention with a recurrent mixer, and "
                    + "neither linear attention nor a state space is set", "set .linearAttention(LinearAttention"
                    + ".transNormer(heads)) or .ssm(Ssm.mamba(dModel)), or drop the hybrid pattern"));
        }
        if (s.attention() == null) {
            problems.add(new SpecProblem("hybrid", p, "puts softmax attention on some layers, which is not set",
                    "set .attention(Attention.multiHead(heads))"));
        }
        return problems;
    }

    private static void schedule(DecaySchedule schedule, int heads, int layers, List<SpecProblem> problems) {
        if (schedule == null) {
            problems.add(new SpecProblem("linear.decay.schedule", null, "must be set", "DecaySchedule.retNet() or "
                    + "DecaySchedule.transNormer()"));
            return;
        }
        int listed = switch (schedule) {
            case DecaySchedule.PerHead p -> p.rates().size();
            case DecaySchedule.RetNet _, DecaySchedule.TransNormer _ -> heads; // a rate for any number of heads
        };
        if (listed != heads) {
            problems.add(new SpecProblem("linear.decay.schedule", schedule, "lists " + listed
                    + (listed == 1 ? " rate" : " rates") + " for " + heads + " heads", "give one rate per head"));
            return;
        }
        for (int l = 0; l < Math.max(layers, 1); l++) {
            for (int h = 0; h < heads; h++) {
                double rate = schedule.decay(h, heads, l, layers);
                if (!(rate > 0 && rate <= 1)) {
                    problems.add(new SpecProblem("linear.decay.schedule", schedule, "gives head " + h + " of layer "
                            + l + " the rate " + rate + "; a decay multiplies the state at every token, so it must "
                            + "lie in (0, 1]", "RetNet uses 1 - 2^(-5-h), between 0.97 and 1"));
                    return;
                }
            }
        }
    }
}
