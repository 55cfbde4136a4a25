package dev.llmgraph.io.hf;

import dev.llmgraph.spec.WeightLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routed experts of the mixture-of-experts types: llmgraph (as llama.cpp) stacks a layer's experts in one
 * weight per projection, {@code blk.N.ffn_gate_exps [d, f, E]} in ggml order, while a Hugging Face checkpoint
 * keeps one tensor per expert and projection, each a {@code torch.nn.Linear} weight {@code [f, d]}: expert e's
 * tensor is the stack's e-th slab of f x d elements, element for element.
 * <pre>
 *  llmgraph               mixtral                                      qwen2_moe
 *  blk.N.ffn_gate_inp     model.layers.N.block_sparse_moe.gate         model.layers.N.mlp.gate
 *  blk.N.ffn_gate_exps    ...block_sparse_moe.experts.e.w1  (e &lt; E)    ...mlp.experts.e.gate_proj
 *  blk.N.ffn_up_exps      ...block_sparse_moe.experts.e.w3             ...mlp.experts.e.up_proj
 *  blk.N.ffn_down_exps    ...block_sparse_moe.experts.e.w2             ...mlp.experts.e.down_proj
 *  blk.N.ffn_*_shexp      -                                            ...mlp.shared_expert.gate_proj, up_, down_
 *  blk.N.ffn_gate_inp_shexp -                                          ...mlp.shared_expert_gate ([1, d])
 * </pre>
 * qwen3_moe and olmoe name their experts and router as qwen2_moe does, and have no shared experts; deepseek_v2 names its experts
 * as qwen2_moe does, and its shared experts {@code mlp.shared_experts.*}.
 */
final class HfExperts {
    private static final Pattern STACKED = Pattern.compile("blk\\.(\\d+)\\.ffn_(gate|up|down)_exps\\.weight");

    private HfExperts() {}

    /** Whether {@code weight} is a stack of routed experts. */
    static boolean stacked(String weight) {
        return STACKED.matcher(weight).matches();
    }

    /** The HF tensor of expert {@code expert} of the stacked {@code weight}. */
    static String name(HfModelType type, String weight, int expert) {
        Matcher m = STACKED.matcher(weight);
        if (!m.matches() || !type.mayRouteToExperts()) {
            throw new IllegalArgumentException("llmgraph weight '" + weight + "' has no counterpart in HF " + type.id()
                    + " checkpoints");
        }
        String projection = m.group(2);
        String local = type == HfModelType.MIXTRAL
                ? "block_sparse_moe.experts." + expert + "." + switch (projection) {
                    case "gate" -> "w1";
                    case "up" -> "w3";
                    default -> "w2";
                }
                : "mlp.experts." + expert + "." + projection + "_proj";
        return "model.layers." + m.group(1) + "." + local + ".weight";
    }

    /** One HF tensor per expert of the stacked {@code w}, each the expert's slab [f, d] (PyTorch order). */
    static List<HfTensor> tensors(HfModelType type, WeightLayout.Weight w) {
        long[] ne = w.ne();
        int experts = (int) ne[2];
        List<HfTensor> out = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            out.add(new HfTensor(name(type, w.name(), e), new long[] {ne[1], ne[0]},
                    List.of(new HfTensor.Slab(w.name(), e, experts, ne[0] * ne[1]))));
        }
        return out;
    }
}
