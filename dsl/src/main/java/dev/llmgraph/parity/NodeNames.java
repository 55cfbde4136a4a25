package dev.llmgraph.parity;

import java.util.Map;
import java.util.Optional;

/**
 * The table from llama.cpp's node names (its graph callback's names, {@code "Qcur-0"}: name, dash, layer) to
 * llmgraph's ({@code "q.0"}: name, dot, layer), with the layout each pair is compared in. Names outside the table
 * are reported as unmatched, never dropped: llama.cpp's {@code norm-0} (a norm before its weight, which
 * llmgraph does not name) and {@code kqv-0} (heads before merging) are examples. Where several llama.cpp names
 * lead to one llmgraph node (a product {@code ffn_up-0}, then with its bias {@code ffn_up_b-0}), the one computed
 * last is compared and the earlier ones are reported as unmatched steps before it.
 * <pre>
 *  llama.cpp            llmgraph       layout
 *  embd                 tok_embd       same (token rows as looked up)
 *  pos_embd             pos_embd       same
 *  inpL, inp_scaled     embd           same (with positions or the embedding scale)
 *  inp_norm-0           embd_norm      same (bloom's embedding norm)
 *  attn_norm-i          attn_norm.i    same
 *  Qcur-i, Kcur-i,      q.i, k.i, v.i  heads and tokens swapped (after RoPE on both sides)
 *    Vcur-i
 *  kv_cmpr-i, k_pe-i    kv_latent.i, k_rope.i  same (MLA: the normalised latent, the rotated shared RoPE key;
 *                                      Qcur, Kcur, Vcur are then the absorbed query row, the cached row, the latent)
 *  kq-i                 kq.i           first T keys
 *  kq_soft_max-i        kq_softmax.i   first T keys
 *  kqv_out-i            attn_heads.i   same
 *  attn_out-i           attn_out.i     same (after the output projection)
 *  ffn_inp-i, sa_out-i  attn_res.i     same (the residual after attention)
 *  attn_post_norm-i     attn_post_norm.i  same
 *  ffn_post_norm-i      ffn_post_norm.i   same
 *  ffn_norm-i           ffn_norm.i     same
 *  ffn_gate-i, ffn_gate_b-i           ffn_gate.i  same
 *  ffn_up-i, ffn_up_b-i               ffn_up.i    same
 *  ffn_swiglu-i, ffn_geglu-i, ffn_gelu-i, ffn_relu-i, ffn_reglu-i, ffn_silu-i
 *                       ffn_act.i      same
 *  ffn_down-i, ffn_out-i              ffn_out.i   same
 *  ffn_moe_logits-i, ffn_moe_probs-i  ffn_moe_logits.i, ffn_moe_probs.i   same (router scores, probabilities)
 *  ffn_moe_weights-i, _softmax-i, _norm-i, _scaled-i                      the chosen experts' weights
 *                       ffn_moe_weights.i  same
 *  ffn_moe_swiglu-i, ffn_moe_geglu-i, ffn_moe_gelu-i, ffn_moe_relu-i, ffn_moe_reglu-i, ffn_moe_silu-i
 *                       ffn_moe_act.i  same (the chosen experts' hidden units)
 *  ffn_moe_down-i, ffn_moe_out-i      ffn_moe_down.i, ffn_moe_out.i        same
 *  ffn_shexp-i, ffn_shexp_gate-i      ffn_shexp.i, ffn_shexp_gate.i        same (shared experts, their gate)
 *  l_out-i              l_out.i        same
 *  result_norm          out_norm       same
 *  result_output        logits         same
 * </pre>
 */
public final class NodeNames {
    private NodeNames() {}

    /** An llmgraph node name and the layout the pair is compared in. */
    public record Target(String llmgraphName, NodeLayout layout) {}

    private static final Map<String, Target> PER_LAYER = Map.ofEntries(
            Map.entry("attn_norm", same("attn_norm")),
            Map.entry("Qcur", new Target("q", NodeLayout.HEADS_TOKENS_SWAPPED)),
            Map.entry("Kcur", new Target("k", NodeLayout.HEADS_TOKENS_SWAPPED)),
            Map.entry("Vcur", new Target("v", NodeLayout.HEADS_TOKENS_SWAPPED)),
            Map.entry("kv_cmpr", same("kv_latent")),
            Map.entry("k_pe", same("k_rope")),
            Map.entry("kq", new Target("kq", NodeLayout.KEYS_CROPPED)),
            Map.entry("kq_soft_max", new Target("kq_softmax", NodeLayout.KEYS_CROPPED)),
            Map.entry("kqv_out", same("attn_heads")),
            Map.entry("attn_out", same("attn_out")),
            Map.entry("ffn_inp", same("attn_res")),
            Map.entry("ffn_norm", same("ffn_norm")),
            Map.entry("sa_out", same("attn_res")),
            Map.entry("attn_post_norm", same("attn_post_norm")),
            Map.entry("ffn_post_norm", same("ffn_post_norm")),
            Map.entry("ffn_gate", same("ffn_gate")),
            Map.entry("ffn_gate_b", same("ffn_gate")),
            Map.entry("ffn_up", same("ffn_up")),
            Map.entry("ffn_up_b", same("ffn_up")),
            Map.entry("ffn_swiglu", same("ffn_act")),
            Map.entry("ffn_geglu", same("ffn_act")),
            Map.entry("ffn_gelu", same("ffn_act")),
            Map.entry("ffn_relu", same("ffn_act")),
            Map.entry("ffn_reglu", same("ffn_act")),
            Map.entry("ffn_silu", same("ffn_act")),
            Map.entry("ffn_down", same("ffn_out")),
            Map.entry("ffn_out", same("ffn_out")),
            Map.entry("ffn_moe_logits", same("ffn_moe_logits")),
            Map.entry("ffn_moe_probs", same("ffn_moe_probs")),
            Map.entry("ffn_moe_weights", same("ffn_moe_weights")),
            Map.entry("ffn_moe_weights_softmax", same("ffn_moe_weights")),
            Map.entry("ffn_moe_weights_norm", same("ffn_moe_weights")),
            Map.entry("ffn_moe_weights_scaled", same("ffn_moe_weights")),
            Map.entry("ffn_moe_swiglu", same("ffn_moe_act")),
            Map.entry("ffn_moe_geglu", same("ffn_moe_act")),
            Map.entry("ffn_moe_gelu", same("ffn_moe_act")),
            Map.entry("ffn_moe_relu", same("ffn_moe_act")),
            Map.entry("ffn_moe_reglu", same("ffn_moe_act")),
            Map.entry("ffn_moe_silu", same("ffn_moe_act")),
            Map.entry("ffn_moe_down", same("ffn_moe_down")),
            Map.entry("ffn_moe_out", same("ffn_moe_out")),
            Map.entry("ffn_shexp", same("ffn_shexp")),
            Map.entry("ffn_shexp_gate", same("ffn_shexp_gate")),
            Map.entry("l_out", same("l_out")));

    private static final Map<String, Target> WHOLE_MODEL = Map.of(
            "embd", same("tok_embd"),
            "pos_embd", same("pos_embd"),
            "inpL", same("embd"),
            "inp_scaled", same("embd"),
            "inp_norm-0", same("embd_norm"), // bloom's graph gives the embedding norm layer 0
            "result_norm", same("out_norm"),
            "result_output", same("logits"));

    private static Target same(String name) {
        return new Target(name, NodeLayout.SAME);
    }

    /**
     * Why llama.cpp's {@code llamaCppName} in a graph of {@code architecture} is not the step its name says, or null:
     * llama.cpp's phi3 graph gives q the name Qcur again after scaling it by 1/sqrt(headDim) for attention, and only
     * that tensor reaches the callback, where llmgraph's q.i is before the scaling.
     */
    public static String namedAtAnotherStep(String architecture, String llamaCppName) {
        boolean scaledQ = architecture.equals("phi3") && llamaCppName.startsWith("Qcur-");
        return scaledQ ? "llama.cpp's phi3 graph names q so after scaling it by 1/sqrt(headDim); llmgraph's q is before"
                : null;
    }

    /** llmgraph's name for llama.cpp's {@code llamaCppName}, or empty when the table has none. */
    public static Optional<Target> llmgraphName(String llamaCppName) {
        Target whole = WHOLE_MODEL.get(llamaCppName);
        if (whole != null) {
            return Optional.of(whole);
        }
        int dash = llamaCppName.lastIndexOf('-');
        if (dash < 1 || !llamaCppName.substring(dash + 1).matches("\\d+")) {
            return Optional.empty();
        }
        Target target = PER_LAYER.get(llamaCppName.substring(0, dash));
        return target == null ? Optional.empty() : Optional.of(new Target(target.llmgraphName() + "."
                + llamaCppName.substring(dash + 1), target.layout()));
    }
}
