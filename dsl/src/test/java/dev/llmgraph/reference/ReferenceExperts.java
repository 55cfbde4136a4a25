package dev.llmgraph.reference;

import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;

import java.util.Arrays;
import java.util.Comparator;

/**
 * A mixture of experts over one token, from its definition (Shazeer et al. 2017; Mixtral, Qwen-MoE):
 * <pre>
 *  s = W_r x                                  one score per expert
 *  p = softmax(s) | sigmoid(s) | s            (top-k-then-softmax keeps s for now)
 *  with G groups of which K_g are kept: score each group by its best p (or the sum of its two best), and
 *  let only the experts of the K_g best groups compete below
 *  K = the k experts of largest p             w_e = p_e for e in K (softmax over them for top-k-then-softmax)
 *  w = w / sum(w) if renormalised;  w = w * scale
 *  y = sum_{e in K} w_e FFN_e(x) + sigmoid(v . x) FFN_shared(x)
 * </pre>
 * Expert e's matrices are the e-th slices of the stacked tensors ({@code [in, out, experts]}: each expert's
 * out x in block, one after another).
 */
final class ReferenceExperts {
    private ReferenceExperts() {}

    static double[] apply(Moe moe, double[] x, ReferenceWeights w, int layer) {
        String b = "blk." + layer + ".";
        double[] scores = w.linear(b + "ffn_gate_inp", x);
        Router router = moe.router();
        double[] p = switch (router.scoring()) {
            case SOFTMAX -> softmax(scores);
            case SIGMOID -> Arrays.stream(scores).map(s -> 1 / (1 + Math.exp(-s))).toArray();
            case TOP_K_SOFTMAX -> scores.clone();
        };
        int k = moe.expertsPerToken();
        boolean[] competes = competing(p, router.groups());
        Integer[] order = new Integer[p.length];
        Arrays.setAll(order, i -> i);
        // Experts of groups not kept sort after every competing one.
        Arrays.sort(order, Comparator.comparing((Integer e) -> !competes[e])
                .thenComparing(Comparator.comparingDouble((Integer e) -> p[e]).reversed()));
        double[] weights = new double[k];
        for (int j = 0; j < k; j++) {
            weights[j] = p[order[j]];
        }
        if (router.scoring() == Router.Scoring.TOP_K_SOFTMAX) {
            weights = softmax(weights);
        }
        if (router.renormalise()) {
            double sum = Arrays.stream(weights).sum();
            for (int j = 0; j < k; j++) {
                weights[j] /= sum;
            }
        }
        double[] y = new double[x.length];
        for (int j = 0; j < k; j++) {
            double[] out = expert(moe.expert(), x, w, b, order[j], moe.experts());
            for (int i = 0; i < y.length; i++) {
                y[i] += router.scale() * weights[j] * out[i];
            }
        }
        if (moe.shared().present()) {
            double[] shared = ReferenceFfn.hidden(moe.expert(), w.linear(b + "ffn_up_shexp", x),
                    moe.expert().gated() ? w.linear(b + "ffn_gate_shexp", x) : null);
            double[] out = w.linear(b + "ffn_down_shexp", shared);
            double gate = 1;
            if (moe.shared().sigmoidGate()) {
                double[] v = w.get(b + "ffn_gate_inp_shexp.weight");
                double dot = 0;
                for (int i = 0; i < x.length; i++) {
                    dot += v[i] * x[i];
                }
                gate = 1 / (1 + Math.exp(-dot));
            }
            for (int i = 0; i < y.length; i++) {
                y[i] += gate * out[i];
            }
        }
        return y;
    }

    /** Which experts may be chosen: all of them, or those of the groups that score best. */
    private static boolean[] competing(double[] p, ExpertGroups groups) {
        boolean[] competes = new boolean[p.length];
        if (!groups.present()) {
            Arrays.fill(competes, true);
            return competes;
        }
        int perGroup = p.length / groups.count();
        double[] groupScore = new double[groups.count()];
        for (int group = 0; group < groups.count(); group++) {
            double[] members = Arrays.copyOfRange(p, group * perGroup, (group + 1) * perGroup);
            Arrays.sort(members);
            for (int j = 0; j < groups.ranking().expertsSummed(); j++) {
                groupScore[group] += members[perGroup - 1 - j];
            }
        }
        Integer[] ranked = new Integer[groups.count()];
        Arrays.setAll(ranked, i -> i);
        Arrays.sort(ranked, Comparator.comparingDouble((Integer group) -> groupScore[group]).reversed());
        for (int j = 0; j < groups.kept(); j++) {
            Arrays.fill(competes, ranked[j] * perGroup, (ranked[j] + 1) * perGroup, true);
        }
        return competes;
    }

    /** Expert {@code e} of the stacks: its slice of up (and gate), the activation, its slice of down. */
    private static double[] expert(Ffn kind, double[] x, ReferenceWeights w, String b, int e, int experts) {
        double[] up = ReferenceWeights.matVec(slice(w.get(b + "ffn_up_exps.weight"), e, experts), x, null);
        double[] gate = kind.gated()
                ? ReferenceWeights.matVec(slice(w.get(b + "ffn_gate_exps.weight"), e, experts), x, null) : null;
        double[] hidden = ReferenceFfn.hidden(kind, up, gate);
        return ReferenceWeights.matVec(slice(w.get(b + "ffn_down_exps.weight"), e, experts), hidden, null);
    }

    private static double[] slice(double[] stacked, int e, int experts) {
        int size = stacked.length / experts;
        return Arrays.copyOfRange(stacked, e * size, (e + 1) * size);
    }

    private static double[] softmax(double[] s) {
        double max = Arrays.stream(s).max().orElseThrow();
        double[] out = Arrays.stream(s).map(v -> Math.exp(v - max)).toArray();
        double sum = Arrays.stream(out).sum();
        return Arrays.stream(out).map(v -> v / sum).toArray();
    }
}
