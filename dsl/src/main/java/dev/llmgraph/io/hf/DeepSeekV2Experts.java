package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;

/**
 * DeepseekV2Config's mixture of experts to and from a {@link Moe}: n_routed_experts (null: no experts),
 * num_experts_per_tok, moe_intermediate_size, n_shared_experts, first_k_dense_replace, moe_layer_freq (1),
 * scoring_func (softmax), topk_method with n_group and topk_group, norm_topk_prob and routed_scaling_factor.
 * DeepSeek-V2's gate scales the weights by routed_scaling_factor only when it does not renormalise them (or k is 1).
 */
final class DeepSeekV2Experts {
    private DeepSeekV2Experts() {}

    static Moe read(ConfigFields f, Activation act, int layers) {
        Integer experts = f.optionalInt("n_routed_experts");
        if (experts == null) {
            return null;
        }
        int k = f.requiredSize("num_experts_per_tok", "the experts each token goes to");
        Ffn expert = new Ffn(act, true, f.requiredSize("moe_intermediate_size", "the experts' width"), false);
        int freq = f.optionalSize("moe_layer_freq", 1);
        if (freq != 1) {
            throw f.error("moe_layer_freq", "field 'moe_layer_freq' = " + freq + " makes every " + freq + "-th layer "
                    + "sparse, which llmgraph's mixture (dense layers first, then every layer sparse) does not "
                    + "express; use 1");
        }
        String scoring = f.text("scoring_func", "softmax");
        if (!scoring.equals("softmax")) {
            throw f.error("scoring_func", "field 'scoring_func' = \"" + scoring + "\" is not DeepSeek-V2's; llmgraph "
                    + "reads deepseek_v2 configs that score experts by \"softmax\"");
        }
        boolean renormalise = f.flag("norm_topk_prob", false) && k > 1;
        double scale = f.number("routed_scaling_factor", 1.0);
        Router router = new Router(Router.Scoring.SOFTMAX, renormalise, renormalise ? 1.0 : scale,
                groups(f, experts));
        Integer sharedCount = f.optionalInt("n_shared_experts");
        SharedExperts shared = sharedCount == null || sharedCount == 0 ? SharedExperts.none()
                : new SharedExperts(sharedCount, expert.width(), false);
        int dense = f.optionalInt("first_k_dense_replace") == null ? 0 : f.optionalInt("first_k_dense_replace");
        return new Moe(experts, k, expert, shared, router, Math.min(dense, layers));
    }

    private static ExpertGroups groups(ConfigFields f, int experts) {
        String method = f.text("topk_method", "greedy");
        return switch (method) {
            case "greedy" -> ExpertGroups.none();
            case "group_limited_greedy" -> new ExpertGroups(f.requiredSize("n_group", "the expert groups"),
                    f.requiredSize("topk_group", "the groups each token keeps"), ExpertGroups.Ranking.BEST_EXPERT);
            default -> throw f.error("topk_method", "field 'topk_method' = \"" + method + "\" is not DeepSeek-V2's; "
                    + "llmgraph reads \"greedy\" and \"group_limited_greedy\"");
        };
    }

    static void mismatches(ModelSpec spec, SpecFit fit) {
        Moe moe = spec.moe();
        if (moe == null) {
            return;
        }
        Ffn e = moe.expert();
        fit.require(e.gated() && !e.bias() && e.activation() == spec.ffn().activation(), "moe.expert", e,
                "has gated experts without biases, with the dense FFN's hidden_act");
        Router r = moe.router();
        fit.require(r.scoring() == Router.Scoring.SOFTMAX, "moe.router", r, "scores experts by softmax before top-k");
        fit.require(!r.renormalise() || r.scale() == 1.0, "moe.router", r, "scales the weights by "
                + "routed_scaling_factor only when it does not renormalise them");
        ExpertGroups g = r.groups();
        fit.require(!g.present() || g.ranking() == ExpertGroups.Ranking.BEST_EXPERT, "moe.router.groups", g,
                "ranks a group by its best expert (group_limited_greedy)");
        SharedExperts shared = moe.shared();
        fit.require(!shared.present() || (!shared.sigmoidGate() && shared.width() == e.width()), "moe.shared",
                shared, "has ungated shared experts as wide as the routed ones");
    }

    static void write(ModelSpec spec, ObjectNode out) {
        Moe moe = spec.moe();
        out.put("moe_layer_freq", 1);
        out.put("scoring_func", "softmax");
        if (moe == null) {
            out.putNull("n_routed_experts");
            out.put("first_k_dense_replace", spec.layers());
            return;
        }
        Router r = moe.router();
        out.put("n_routed_experts", moe.experts());
        out.put("num_experts_per_tok", moe.expertsPerToken());
        out.put("moe_intermediate_size", moe.expert().width());
        out.put("n_shared_experts", moe.shared().count());
        out.put("first_k_dense_replace", moe.denseLayers());
        out.put("norm_topk_prob", r.renormalise());
        out.put("routed_scaling_factor", r.scale());
        ExpertGroups g = r.groups();
        out.put("topk_method", g.present() ? "group_limited_greedy" : "greedy");
        out.put("n_group", g.present() ? g.count() : 1);
        out.put("topk_group", g.present() ? g.kept() : 1);
    }
}
