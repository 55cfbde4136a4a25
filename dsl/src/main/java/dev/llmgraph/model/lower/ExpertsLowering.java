package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.FillOps;
import dev.llmgraph.ggml.Glu;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;

/**
 * Lowers a {@link Moe} the way llama.cpp's {@code build_moe_ffn} ({@code src/llama-graph.cpp}) does, so that both
 * engines run the same ops: router scores, top-k ids by a descending argsort, the chosen weights picked with
 * get_rows, every chosen expert of every token multiplied at once by {@code mul_mat_id} on the stacked expert
 * matrices, then the weighted outputs summed slot by slot.
 *
 * <p>Dimension legend (ggml order):
 * <pre>
 *  d  dModel     T  tokens     E  routed experts     k  experts per token     f  expert width
 *  x [d, T]   scores [E, T]   ids [k, T] (i32)   weights [1, k, T]   hidden [f, k, T]   outputs [d, k, T]
 * </pre>
 * With expert groups, the scores the top k is taken from are first masked to the groups each token keeps.
 */
final class ExpertsLowering {
    private final GraphBuilder g;
    private final Context ctx;

    ExpertsLowering(GraphBuilder g) {
        this.g = g;
        this.ctx = g.ctx;
    }

    /** The layer's experts applied to x [d, T]: routed (and shared) outputs summed, [d, T]. */
    Tensor lower(int layer, Moe m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        int experts = m.experts(), k = m.expertsPerToken();
        long d = x.ne(0), tokens = x.ne(1);

        Tensor scores = g.name(ctx.mulMat(g.matrix(b + "ffn_gate_inp.weight"), x), "ffn_moe_logits" + i);
        Router router = m.router();
        Tensor probs = switch (router.scoring()) {
            case SOFTMAX -> ctx.attention().softMax(scores, null, 1f, 0f);
            case SIGMOID -> ctx.sigmoid(scores);
            case TOP_K_SOFTMAX -> scores; // the softmax comes after top-k, over the k chosen
        };
        g.name(probs, "ffn_moe_probs" + i);
        Tensor selection = router.groups().present()
                ? g.name(keepBestGroups(probs, router.groups(), experts, tokens), "ffn_moe_probs_masked" + i) : probs;
        Tensor ids = g.name(topK(selection, k), "ffn_moe_topk" + i); // [k, T]

        // One row of one value per expert, so that get_rows picks each token's k chosen probabilities.
        Tensor weights = ctx.getRows(ctx.reshape(probs, 1, experts, tokens), ids); // [1, k, T]
        if (router.scoring() == Router.Scoring.TOP_K_SOFTMAX) {
            weights = ctx.reshape(ctx.attention().softMax(ctx.reshape(weights, k, tokens), null, 1f, 0f), 1, k, tokens);
        }
        if (router.renormalise()) {
            Tensor rows = ctx.reshape(weights, k, tokens);
            // llama.cpp clamps the sum at F16's smallest normal number so that it never divides by zero.
            Tensor sum = ctx.clamp(ctx.sumRows(rows), 6.103515625e-5f, Float.POSITIVE_INFINITY); // [1, T]
            weights = ctx.reshape(ctx.div(rows, sum), 1, k, tokens);
        }
        if (router.scale() != 1.0) {
            weights = ctx.scale(weights, (float) router.scale());
        }
        g.name(weights, "ffn_moe_weights" + i);

        Tensor input = ctx.reshape(x, d, 1, tokens); // every chosen expert of a token reads the same row
        Tensor hidden = expertHidden(b, m.expert(), input, ids);
        g.name(hidden, "ffn_moe_act" + i);
        Tensor outputs = g.name(ctx.mulMatId(g.matrix(b + "ffn_down_exps.weight"), hidden, ids),
                "ffn_moe_down" + i); // [d, k, T]
        Tensor weighted = ctx.mul(outputs, weights);

        Tensor sum = slot(weighted, 0);
        for (int slot = 1; slot < k; slot++) {
            sum = ctx.add(sum, slot(weighted, slot));
        }
        Tensor routed = g.name(k == 1 ? ctx.cont(sum) : sum, "ffn_moe_out" + i);
        SharedExperts shared = m.shared();
        if (!shared.present()) {
            return g.name(routed, "ffn_out" + i);
        }
        Tensor always = g.name(sharedFfn(b, m.expert(), x), "ffn_shexp" + i);
        if (shared.sigmoidGate()) {
            Tensor gate = g.name(ctx.sigmoid(ctx.mulMat(g.matrix(b + "ffn_gate_inp_shexp.weight"), x)),
                    "ffn_shexp_gate" + i); // [1, T]
            always = ctx.mul(always, gate);
        }
        return g.name(ctx.add(routed, always), "ffn_out" + i);
    }

    /** The hidden units of each token's chosen experts, [f, k, T]: up (and gate) by mul_mat_id, activated. */
    private Tensor expertHidden(String b, Ffn expert, Tensor input, Tensor ids) {
        Tensor up = ctx.mulMatId(g.matrix(b + "ffn_up_exps.weight"), input, ids);
        if (!expert.gated()) {
            return activate(up, expert);
        }
        Tensor gate = ctx.mulMatId(g.matrix(b + "ffn_gate_exps.weight"), input, ids);
        return glu(expert, gate, up);
    }

    /** The shared experts as one FFN of their total width, [d, T]. */
    private Tensor sharedFfn(String b, Ffn kind, Tensor x) {
        Tensor up = ctx.mulMat(g.matrix(b + "ffn_up_shexp.weight"), x);
        Tensor hidden = kind.gated() ? glu(kind, ctx.mulMat(g.matrix(b + "ffn_gate_shexp.weight"), x), up)
                : activate(up, kind);
        return ctx.mulMat(g.matrix(b + "ffn_down_shexp.weight"), hidden);
    }

    /**
     * Group-limited routing as llama.cpp's {@code build_moe_ffn} does it: each group scored by the sum of its best
     * one or two experts (a descending argsort per group, those scores picked and summed), the kept groups' ids by
     * another argsort, and their scores written back into a tensor of minus infinity, so that the top k that
     * follows can only pick experts of kept groups. Shapes: G groups of n = E / G experts, K kept, s summed.
     */
    private Tensor keepBestGroups(Tensor probs, ExpertGroups groups, int experts, long tokens) {
        int count = groups.count(), perGroup = experts / count, summed = groups.ranking().expertsSummed();
        Tensor byGroup = ctx.reshape(probs, perGroup, count, tokens); // [n, G, T]
        Tensor best = topK(byGroup, summed); // [s, G, T]
        // One row of one value per expert, so that get_rows picks each group's best scores.
        Tensor bestScores = ctx.getRows(ctx.reshape(byGroup, 1, perGroup, count, tokens), best); // [1, s, G, T]
        Tensor groupScores = ctx.reshape(ctx.sumRows(ctx.reshape(bestScores, summed, count, tokens)),
                count, tokens); // [G, T]
        Tensor kept = topK(groupScores, groups.kept()); // [K, T]
        Tensor keptScores = ctx.getRows(byGroup, kept); // [n, K, T]
        Tensor masked = ctx.setRows(FillOps.of(ctx).fill(byGroup, Float.NEGATIVE_INFINITY), keptScores, kept);
        return ctx.reshape(masked, experts, tokens); // [E, T]
    }

    /**
     * The ids of each row's k largest values, largest first: the first k columns of a descending argsort, as
     * ggml's {@code ggml_argsort_top_k} builds them (k <= experts is the spec's rule, so the view fits).
     */
    private Tensor topK(Tensor scores, int k) {
        Tensor sorted = ctx.argsort(scores, true);
        if (sorted.ne(2) > 1) { // [n, G, T] rows of groups
            return ctx.view(sorted, new long[] {k, sorted.ne(1), sorted.ne(2)}, new long[] {sorted.nb(1), sorted.nb(2)},
                    0);
        }
        return ctx.view(sorted, new long[] {k, sorted.ne(1)}, new long[] {sorted.nb(1)}, 0);
    }

    /** Slot {@code slot} of every token, [d, T]: a strided view of the weighted outputs [d, k, T]. */
    private Tensor slot(Tensor outputs, int slot) {
        return ctx.view(outputs, new long[] {outputs.ne(0), outputs.ne(2)}, new long[] {outputs.nb(2)},
                slot * outputs.nb(1));
    }

    private Tensor glu(Ffn kind, Tensor gate, Tensor up) {
        return switch (kind.activation()) {
            case SILU -> ctx.glu(Glu.SWIGLU, gate, up);
            case GELU_TANH -> ctx.glu(Glu.GEGLU, gate, up);
            case GELU -> ctx.glu(Glu.GEGLU_ERF, gate, up);
            case RELU -> ctx.glu(Glu.REGLU, gate, up);
            case IDENTITY -> ctx.mul(gate, up);
        };
    }

    private Tensor activate(Tensor x, Ffn kind) {
        return switch (kind.activation()) {
            case RELU -> ctx.relu(x);
            case GELU -> ctx.geluErf(x);
            case GELU_TANH -> ctx.gelu(x);
            case SILU -> ctx.silu(x);
            case IDENTITY -> x;
        };
    }
}
