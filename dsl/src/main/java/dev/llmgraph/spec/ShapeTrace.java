package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The named nodes of one forward pass with their shapes in the paper's order (T = new tokens,
 * K = keys visible = cached + T). The names are the ggml graph's node names, so a model can return any
 * of them.
 */
public record ShapeTrace(String model, int tokens, List<Entry> entries) {
    /**
     * @param name  the node name, e.g. {@code attn_norm.0}
     * @param shape sizes in the paper's order, e.g. {@code [T, dModel]}
     * @param what  what the node computes
     */
    public record Entry(String name, long[] shape, String what) {
        @Override
        public String toString() {
            return String.format("%-18s %-22s %s", name, Arrays.toString(shape), what);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.name.equals(name) && Arrays.equals(e.shape, shape) && e.what.equals(what);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }
    }

    public Entry find(String name) {
        return entries.stream().filter(e -> e.name.equals(name)).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("shape trace of " + model + " for " + tokens + " tokens (paper order)\n");
        for (Entry e : entries) {
            sb.append("  ").append(e).append('\n');
        }
        return sb.toString();
    }

    static List<Entry> of(ModelSpec s, int tokens, int cached) {
        List<Entry> out = new ArrayList<>();
        long t = tokens, d = s.dModel(), hd = s.headDim(), keys = cached + tokens;
        Attention a = s.attention();
        add(out, "tok_embd", "token embedding lookup", t, d);
        if (s.positional().addsToEmbeddings()) {
            add(out, "pos_embd", s.positional() + " position table rows", t, d);
        }
        if (s.embeddings().layerNorm()) {
            add(out, "embd_norm", "embedding " + s.norm(), t, d);
        }
        add(out, "embd", "input to the first block", t, d);
        boolean post = s.placement() == NormPlacement.POST || s.placement() == NormPlacement.DEEPNORM;
        String rotated = s.positional().rotatesQueriesAndKeys() ? ", rotated" : "";
        for (int i = 0; i < s.layers(); i++) {
            if (!post) {
                add(out, "attn_norm." + i, s.norm() + " before attention", t, d);
            }
            add(out, "q." + i, "queries per head" + rotated,
                    s.heads(), t, hd);
            add(out, "k." + i, "keys per K/V head" + rotated,
                    s.kvHeads(), t, hd);
            add(out, "v." + i, "values per K/V head", s.kvHeads(), t, hd);
            if (!a.flash()) {
                add(out, "kq." + i, "attention logits q k^T over " + s.mask(i).name().toLowerCase() + " mask",
                        s.heads(), t, keys);
                add(out, "kq_softmax." + i, "attention weights", s.heads(), t, keys);
            }
            add(out, "attn_heads." + i, (a.flash() ? "flash attention" : "weights x values") + ", heads merged",
                    t, (long) s.heads() * hd);
            add(out, "attn_out." + i, "output projection", t, d);
            if (s.placement() == NormPlacement.SANDWICH) {
                add(out, "attn_post_norm." + i, s.norm() + " after attention", t, d);
            }
            if (!s.parallelBlock()) {
                add(out, "attn_res." + i, s.placement() == NormPlacement.DEEPNORM ? "alpha x + attention"
                        : "residual + attention", t, d);
                if (post) {
                    add(out, "attn_norm." + i, s.norm() + " after the residual", t, d);
                } else {
                    add(out, "ffn_norm." + i, s.norm() + " before the FFN", t, d);
                }
            }
            if (s.ffn().gated()) {
                add(out, "ffn_gate." + i, "gate projection", t, s.ffnDim());
            }
            add(out, "ffn_up." + i, "up projection", t, s.ffnDim());
            add(out, "ffn_act." + i, s.ffn().displayName() + " hidden", t, s.ffnDim());
            add(out, "ffn_out." + i, "down projection", t, d);
            if (s.placement() == NormPlacement.SANDWICH) {
                add(out, "ffn_post_norm." + i, s.norm() + " after the FFN", t, d);
            }
            if (post && !s.parallelBlock()) {
                add(out, "ffn_res." + i, s.placement() == NormPlacement.DEEPNORM ? "alpha x + FFN" : "residual + FFN",
                        t, d);
                add(out, "ffn_norm." + i, s.norm() + " after the residual", t, d);
            } else if (post) {
                add(out, "ffn_res." + i, "residual + attention + FFN", t, d);
                add(out, "attn_norm." + i, s.norm() + " after the residual", t, d);
            }
            add(out, "l_out." + i, "block output", t, d);
        }
        if (s.finalNorm()) {
            add(out, "out_norm", "final " + s.norm(), t, d);
        }
        add(out, "logits", (s.tiedEmbeddings() ? "tied " : "") + "output head" + (s.finalLogitSoftcap() > 0
                ? ", soft-capped" : ""), t, s.vocabSize());
        return out;
    }

    private static void add(List<Entry> out, String name, String what, long... shape) {
        out.add(new Entry(name, shape, what));
    }
}
