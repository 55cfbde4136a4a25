package dev.llmgraph.io.hf;

import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.HashMap;
import java.util.Map;

/**
 * DeepSeek-V2's tensors beside llmgraph's (llama.cpp's {@code deepseek2}) weights, per layer N:
 * <pre>
 *  llmgraph                 deepseek_v2 (model.layers.N.)
 *  attn_q                   self_attn.q_proj                       V2-Lite (q_lora_rank null)
 *  attn_q_a, attn_q_a_norm  self_attn.q_a_proj, q_a_layernorm      V2
 *  attn_q_b                 self_attn.q_b_proj
 *  attn_kv_a_mqa            self_attn.kv_a_proj_with_mqa           [kvRank + rope, d]: the latent's rows, then k_R's
 *  attn_kv_a_norm           self_attn.kv_a_layernorm
 *  attn_k_b, attn_v_b       self_attn.kv_b_proj                    split, see below
 *  attn_output              self_attn.o_proj
 *  ffn_gate_inp             mlp.gate
 *  ffn_*_exps               mlp.experts.E.{gate,up,down}_proj      one tensor per expert (HfExperts)
 *  ffn_*_shexp              mlp.shared_experts.{gate,up,down}_proj all shared experts as one FFN
 *  ffn_gate, _up, _down     mlp.gate_proj, up_proj, down_proj      the dense layers (first_k_dense_replace)
 * </pre>
 * {@code kv_b_proj} [H (nope + v), kvRank] holds, for each head h, nope rows of W_UK then v rows of W_UV. llama.cpp's
 * converter splits it, as llmgraph's latent attention needs: {@code attn_v_b} [kvRank, v, H] (ggml order) is head h's
 * v rows as they are, {@code attn_k_b} [nope, kvRank, H] is head h's nope rows transposed (element (n, r) of head h
 * is kv_b_proj[h (nope + v) + n][r]), so that the query's no-RoPE part is moved into the latent space by one
 * product per head.
 */
final class DeepSeekV2Tensors {
    private DeepSeekV2Tensors() {}

    /** Per-layer llmgraph module name to HF module name, .weight (no biases: DeepSeek-V2 has none). */
    static final Map<String, String> NAMES = names("attn_q_a", "self_attn.q_a_proj", "attn_q_a_norm",
            "self_attn.q_a_layernorm", "attn_q_b", "self_attn.q_b_proj", "attn_kv_a_mqa", "self_attn.kv_a_proj_with_mqa",
            "attn_kv_a_norm", "self_attn.kv_a_layernorm", "attn_k_b", "self_attn.kv_b_proj", "attn_v_b",
            "self_attn.kv_b_proj", "ffn_gate_inp", "mlp.gate", "ffn_gate_shexp", "mlp.shared_experts.gate_proj",
            "ffn_up_shexp", "mlp.shared_experts.up_proj", "ffn_down_shexp", "mlp.shared_experts.down_proj");

    private static Map<String, String> names(String... pairs) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i] + ".weight", pairs[i + 1] + ".weight");
        }
        return Map.copyOf(out);
    }

    /** Whether {@code weight} is W_UK or W_UV, which kv_b_proj holds together. */
    static boolean fromKvB(String weight) {
        return weight.matches("blk\\.\\d+\\.attn_[kv]_b\\.weight");
    }

    /** kv_b_proj's shape, PyTorch order: [H (nope + v), kvRank]. */
    static long[] kvBShape(ModelSpec spec) {
        LatentAttention l = spec.latent();
        return new long[] {(long) l.heads() * (l.nopeHeadDim() + l.valueHeadDim()), l.kvRank()};
    }

    /** Where W_UK ({@code attn_k_b}) or W_UV ({@code attn_v_b}) lies in kv_b_proj. */
    static HfTensor.Part kvBPart(ModelSpec spec, WeightLayout.Weight w) {
        LatentAttention l = spec.latent();
        int heads = l.heads(), nope = l.nopeHeadDim(), value = l.valueHeadDim(), rank = l.kvRank();
        long headRows = nope + value;
        if (w.name().endsWith("attn_v_b.weight")) { // ggml [rank, v, H]: whole rows of rank elements
            long[] starts = new long[heads * value];
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < value; j++) {
                    starts[h * value + j] = (h * headRows + nope + j) * rank;
                }
            }
            return new HfTensor.Blocks(w.name(), rank, starts);
        }
        // ggml [nope, rank, H]: element (n, r, h) is HF element [h (nope + v) + n][r], one element per block.
        long[] starts = new long[heads * rank * nope];
        int i = 0;
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < rank; r++) {
                for (int n = 0; n < nope; n++) {
                    starts[i++] = (h * headRows + n) * rank + r;
                }
            }
        }
        return new HfTensor.Blocks(w.name(), 1, starts);
    }
}
