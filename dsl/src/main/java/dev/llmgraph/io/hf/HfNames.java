package dev.llmgraph.io.hf;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.WeightLayout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face tensor names and layouts for llmgraph's (llama.cpp's) weights. Names (N = layer):
 * <pre>
 *  llmgraph              llama, mistral, qwen2, qwen3, gemma*  gpt2                      bloom, falcon
 *  token_embd            model.embed_tokens                    transformer.wte           transformer.word_embeddings
 *  position_embd         -                                     transformer.wpe           -
 *  token_embd_norm       -                                     -                         transformer.word_embeddings_layernorm (bloom)
 *  blk.N.attn_norm       model.layers.N.input_layernorm        transformer.h.N.ln_1      transformer.h.N.input_layernorm
 *  blk.N.attn_q, _k, _v  ...self_attn.q_proj, k_proj, v_proj   ...attn.c_attn (fused)    ...self_attention.query_key_value (fused)
 *  blk.N.attn_q_norm, _k_norm  ...self_attn.q_norm, k_norm (qwen3, qwen3_moe, gemma3_text per head; olmoe over
 *                              the whole projection)
 *  blk.N.attn_output     ...self_attn.o_proj                   ...attn.c_proj            ...self_attention.dense
 *  blk.N.ffn_norm        ...post_attention_layernorm           ...ln_2                   ...post_attention_layernorm
 *  (gemma2, gemma3_text: attn_post_norm, ffn_norm, ffn_post_norm are post_attention_layernorm,
 *  pre_feedforward_layernorm and post_feedforward_layernorm; their norm gains are stored minus one,
 *  {@link HfModelType#storesNormGainsMinusOne})
 *  (phi: model.layers.N.input_layernorm, self_attn.q_proj, k_proj, v_proj, dense, mlp.fc1, fc2; model.final_layernorm;
 *  lm_head with a bias)
 *  (phi3: attn_q, attn_k, attn_v are rows of self_attn.qkv_proj, one after the other; ffn_gate, ffn_up rows of
 *  mlp.gate_up_proj, gate first)
 *  blk.N.ffn_gate        ...mlp.gate_proj                      -                         -
 *  blk.N.ffn_up          ...mlp.up_proj                        ...mlp.c_fc               ...mlp.dense_h_to_4h
 *  blk.N.ffn_down        ...mlp.down_proj                      ...mlp.c_proj             ...mlp.dense_4h_to_h
 *  output_norm           model.norm                            transformer.ln_f          transformer.ln_f
 *  output                lm_head                               lm_head                   lm_head
 * </pre>
 * each with {@code .weight} and, where the spec has one, {@code .bias}. BERT (an encoder; {@code bert.} is left out
 * by checkpoints of BertModel itself, and readers accept both):
 * <pre>
 *  token_embd, position_embd               bert.embeddings.word_embeddings, .position_embeddings
 *  token_types                              bert.embeddings.token_type_embeddings
 *  token_embd_norm                          bert.embeddings.LayerNorm
 *  blk.N.attn_q, _k, _v                     bert.encoder.layer.N.attention.self.query, key, value
 *  blk.N.attn_output, blk.N.attn_norm       ...attention.output.dense, ...attention.output.LayerNorm
 *  blk.N.ffn_up, ffn_down, ffn_norm         ...intermediate.dense, ...output.dense, ...output.LayerNorm
 *  mlm_dense, mlm_norm, mlm_output.bias     cls.predictions.transform.dense, .transform.LayerNorm, cls.predictions.bias
 * </pre>
 * deepseek_v2's latent attention and experts: {@link DeepSeekV2Tensors}.
 *
 * <p>Layouts, with H query heads, G K/V heads and hd the head size (PyTorch order, rows first):
 * <ul>
 *   <li>A {@code torch.nn.Linear} weight is [out, in], which is ggml's [in, out]: element for element.</li>
 *   <li>GPT-2's {@code Conv1D} weights are [in, out]: the transpose. {@code c_attn} is [d, 3d], its columns
 *       q, then k, then v; its bias [3d] likewise.</li>
 *   <li>BLOOM's and Falcon's {@code query_key_value} is [(H + 2G) hd, d]: rows in G groups, each the group's
 *       H/G query heads, then its key head, then its value head (viewed as [G, H/G + 2, hd, d]). BLOOM is
 *       G = H ([H, 3, hd]: q, k, v per head); Falcon-7B's multi-query is G = 1 (all q heads, k, v); the new
 *       decoder architecture uses num_kv_heads groups. Its bias follows the rows.</li>
 *   <li>HF q and k rows rotate in halves (pairs i, i + hd/2). For a spec with {@link RopePairing#ADJACENT}
 *       the rows of each head are permuted so that llmgraph row 2i + j is HF row j hd/2 + i (llama.cpp's
 *       converter does the same); for {@link RopePairing#HALVES} nothing moves.</li>
 * </ul>
 */
public final class HfNames {
    private static final Map<HfModelType, Map<String, String>> GLOBAL = new HashMap<>();
    private static final Map<HfModelType, Map<String, String>> PER_LAYER = new HashMap<>();
    private static final Map<HfModelType, String> LAYER_PREFIX = new HashMap<>();

    static {
        for (HfModelType t : new HfModelType[] {HfModelType.LLAMA, HfModelType.MISTRAL, HfModelType.QWEN2,
                HfModelType.QWEN3, HfModelType.GEMMA2, HfModelType.GEMMA3, HfModelType.PHI3, HfModelType.MIXTRAL,
                HfModelType.QWEN2_MOE,
                HfModelType.QWEN3_MOE, HfModelType.OLMOE, HfModelType.DEEPSEEK_V2}) {
            LAYER_PREFIX.put(t, "model.layers.");
            GLOBAL.put(t, table("token_embd", "model.embed_tokens", "output_norm", "model.norm", "output", "lm_head"));
            PER_LAYER.put(t, table("attn_norm", "input_layernorm", "attn_q", "self_attn.q_proj", "attn_k",
                    "self_attn.k_proj", "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj",
                    "ffn_norm", "post_attention_layernorm", "ffn_gate", "mlp.gate_proj", "ffn_up", "mlp.up_proj",
                    "ffn_down", "mlp.down_proj"));
        }
        LAYER_PREFIX.put(HfModelType.GPT2, "transformer.h.");
        GLOBAL.put(HfModelType.GPT2, table("token_embd", "transformer.wte", "position_embd", "transformer.wpe",
                "output_norm", "transformer.ln_f", "output", "lm_head"));
        PER_LAYER.put(HfModelType.GPT2, table("attn_norm", "ln_1", "attn_q", "attn.c_attn", "attn_k", "attn.c_attn",
                "attn_v", "attn.c_attn", "attn_output", "attn.c_proj", "ffn_norm", "ln_2", "ffn_up", "mlp.c_fc",
                "ffn_down", "mlp.c_proj"));
        for (HfModelType t : new HfModelType[] {HfModelType.BLOOM, HfModelType.FALCON}) {
            LAYER_PREFIX.put(t, "transformer.h.");
            GLOBAL.put(t, table("token_embd", "transformer.word_embeddings", "output_norm", "transformer.ln_f",
                    "output", "lm_head"));
            PER_LAYER.put(t, table("attn_norm", "input_layernorm", "attn_q", "self_attention.query_key_value",
                    "attn_k", "self_attention.query_key_value", "attn_v", "self_attention.query_key_value",
                    "attn_output", "self_attention.dense", "ffn_norm", "post_attention_layernorm", "ffn_up",
                    "mlp.dense_h_to_4h", "ffn_down", "mlp.dense_4h_to_h"));
        }
        // Routed experts map one weight to one tensor per expert (HfExperts); the router and shared experts here.
        for (HfModelType t : new HfModelType[] {HfModelType.QWEN3, HfModelType.QWEN3_MOE, HfModelType.OLMOE,
                HfModelType.GEMMA3}) {
            PER_LAYER.get(t).putAll(table("attn_q_norm", "self_attn.q_norm", "attn_k_norm", "self_attn.k_norm"));
        }
        PER_LAYER.get(HfModelType.QWEN3_MOE).putAll(table("ffn_gate_inp", "mlp.gate"));
        PER_LAYER.get(HfModelType.OLMOE).putAll(table("ffn_gate_inp", "mlp.gate"));
        // Gemma's four norms a layer: llmgraph's pre-FFN norm is its pre_feedforward_layernorm, not LLaMA's
        for (HfModelType t : new HfModelType[] {HfModelType.GEMMA2, HfModelType.GEMMA3}) {
            PER_LAYER.get(t).putAll(table("attn_post_norm", "post_attention_layernorm", "ffn_norm",
                    "pre_feedforward_layernorm", "ffn_post_norm", "post_feedforward_layernorm"));
        }
        LAYER_PREFIX.put(HfModelType.PHI, "model.layers.");
        GLOBAL.put(HfModelType.PHI, table("token_embd", "model.embed_tokens", "output_norm", "model.final_layernorm",
                "output", "lm_head"));
        PER_LAYER.put(HfModelType.PHI, table("attn_norm", "input_layernorm", "attn_q", "self_attn.q_proj", "attn_k",
                "self_attn.k_proj", "attn_v", "self_attn.v_proj", "attn_output", "self_attn.dense", "ffn_up", "mlp.fc1",
                "ffn_down", "mlp.fc2"));
        // Phi-3 fuses q, k and v, and gate and up: several llmgraph weights in one tensor (see shape and part)
        PER_LAYER.get(HfModelType.PHI3).putAll(table("attn_q", "self_attn.qkv_proj", "attn_k", "self_attn.qkv_proj",
                "attn_v", "self_attn.qkv_proj", "ffn_gate", "mlp.gate_up_proj", "ffn_up", "mlp.gate_up_proj"));
        PER_LAYER.get(HfModelType.MIXTRAL).putAll(table("ffn_gate_inp", "block_sparse_moe.gate"));
        PER_LAYER.get(HfModelType.QWEN2_MOE).putAll(table("ffn_gate_inp", "mlp.gate", "ffn_gate_shexp",
                "mlp.shared_expert.gate_proj", "ffn_up_shexp", "mlp.shared_expert.up_proj", "ffn_down_shexp",
                "mlp.shared_expert.down_proj", "ffn_gate_inp_shexp", "mlp.shared_expert_gate"));
        PER_LAYER.get(HfModelType.DEEPSEEK_V2).putAll(DeepSeekV2Tensors.NAMES);
        GLOBAL.get(HfModelType.BLOOM).putAll(table("token_embd_norm", "transformer.word_embeddings_layernorm"));
        LAYER_PREFIX.put(HfModelType.BERT, "bert.encoder.layer.");
        GLOBAL.put(HfModelType.BERT, table("token_embd", "bert.embeddings.word_embeddings", "position_embd",
                "bert.embeddings.position_embeddings", "token_types", "bert.embeddings.token_type_embeddings",
                "token_embd_norm", "bert.embeddings.LayerNorm", "mlm_dense", "cls.predictions.transform.dense",
                "mlm_norm", "cls.predictions.transform.LayerNorm", "mlm_output", "cls.predictions"));
        PER_LAYER.put(HfModelType.BERT, table("attn_q", "attention.self.query", "attn_k", "attention.self.key",
                "attn_v", "attention.self.value", "attn_output", "attention.output.dense", "attn_norm",
                "attention.output.LayerNorm", "ffn_up", "intermediate.dense", "ffn_down", "output.dense", "ffn_norm",
                "output.LayerNorm"));
        GLOBAL.replaceAll((type, names) -> Map.copyOf(names));
        PER_LAYER.replaceAll((type, names) -> Map.copyOf(names));
    }

    /** Pairs of llmgraph and HF module names, each with .weight and .bias. */
    private static Map<String, String> table(String... pairs) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i] + ".weight", pairs[i + 1] + ".weight");
            out.put(pairs[i] + ".bias", pairs[i + 1] + ".bias");
        }
        return out;
    }

    private HfNames() {}

    /**
     * Other names under which checkpoints of {@code type} may hold the HF tensor {@code name}, tried when it is
     * absent: BERT's TensorFlow-era LayerNorm {@code gamma} and {@code beta} (HF's loader renames them to
     * {@code weight} and {@code bias}) and its masked-LM bias saved under the decoder it is shared with; Gemma 3's
     * text model inside an image-and-text checkpoint ({@code language_model.model.*} as transformers saved it before
     * 4.52, {@code model.language_model.*} after; {@code language_model.lm_head}).
     */
    public static List<String> alternativeNames(HfModelType type, String name) {
        if (type == HfModelType.GEMMA3) {
            return name.startsWith("model.") ? List.of("language_model." + name,
                    "model.language_model." + name.substring("model.".length()))
                    : List.of("language_model." + name);
        }
        if (type != HfModelType.BERT) {
            return List.of();
        }
        if (name.endsWith("LayerNorm.weight")) {
            return List.of(name.substring(0, name.length() - "weight".length()) + "gamma");
        }
        if (name.endsWith("LayerNorm.bias")) {
            return List.of(name.substring(0, name.length() - "bias".length()) + "beta");
        }
        return name.equals("cls.predictions.bias") ? List.of("cls.predictions.decoder.bias") : List.of();
    }

    /**
     * The HF tensor holding llmgraph's {@code weight} in checkpoints of {@code type}; for a stack of experts, the
     * tensor of expert 0 ({@link #tensors} lists them all).
     */
    public static String hfName(HfModelType type, String weight) {
        if (HfExperts.stacked(weight)) {
            return HfExperts.name(type, weight, 0);
        }
        String name = GLOBAL.get(type).get(weight);
        if (name == null && weight.startsWith("blk.")) {
            int dot = weight.indexOf('.', 4);
            String local = PER_LAYER.get(type).get(weight.substring(dot + 1));
            name = local == null ? null : LAYER_PREFIX.get(type) + weight.substring(4, dot) + "." + local;
        }
        if (name == null) {
            throw new IllegalArgumentException("llmgraph weight '" + weight + "' has no counterpart in HF " + type.id()
                    + " checkpoints");
        }
        return name;
    }

    /** Every HF tensor of {@code spec} saved as {@code type}, in model order, with the weights inside each. */
    public static List<HfTensor> tensors(HfModelType type, ModelSpec spec) {
        Map<String, List<HfTensor.Part>> parts = new LinkedHashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        for (WeightLayout.Weight w : WeightLayout.of(spec)) {
            if (HfExperts.stacked(w.name())) {
                for (HfTensor expert : HfExperts.tensors(type, w)) {
                    parts.put(expert.name(), expert.parts());
                    shapes.put(expert.name(), expert.shape());
                }
                continue;
            }
            String name = hfName(type, w.name());
            if (DeepSeekV2Tensors.fromKvB(w.name())) { // W_UK and W_UV: both inside kv_b_proj
                parts.computeIfAbsent(name, n -> new ArrayList<>()).add(DeepSeekV2Tensors.kvBPart(spec, w));
                shapes.putIfAbsent(name, DeepSeekV2Tensors.kvBShape(spec));
                continue;
            }
            parts.computeIfAbsent(name, n -> new ArrayList<>()).add(part(type, spec, w));
            shapes.putIfAbsent(name, shape(type, spec, w));
        }
        List<HfTensor> out = new ArrayList<>();
        parts.forEach((name, list) -> out.add(new HfTensor(name, shapes.get(name), list)));
        return out;
    }

    private static long[] shape(HfModelType type, ModelSpec spec, WeightLayout.Weight w) {
        long[] ne = w.ne();
        int qkv = qkvIndex(w.name());
        if (qkv >= 0 && type == HfModelType.GPT2) {
            long width = 3L * spec.dModel();
            return isBias(w) ? new long[] {width} : new long[] {spec.dModel(), width};
        }
        if (qkv >= 0 && (type == HfModelType.BLOOM || type == HfModelType.FALCON || type == HfModelType.PHI3)) {
            long rows = (long) (spec.heads() + 2 * spec.kvHeads()) * spec.headDim();
            return isBias(w) ? new long[] {rows} : new long[] {rows, spec.dModel()};
        }
        if (type == HfModelType.PHI3 && gateOrUp(w.name()) >= 0) {
            return new long[] {2L * spec.ffnDim(), spec.dModel()};
        }
        if (conv1d(type, w)) {
            return ne.clone();
        }
        if (w.name().endsWith(".ffn_gate_inp_shexp.weight")) {
            return new long[] {1, ne[0]};                    // torch.nn.Linear(d, 1)
        }
        long[] reversed = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            reversed[i] = ne[ne.length - 1 - i];
        }
        return reversed;
    }

    private static HfTensor.Part part(HfModelType type, ModelSpec spec, WeightLayout.Weight w) {
        int qkv = qkvIndex(w.name());
        // Hugging Face rotates halves: q and k rows are permuted where llmgraph rotates adjacent pairs.
        boolean adjacentPairs = switch (spec.positional()) {
            case Positional.Rope rope -> rope.pairing() == RopePairing.ADJACENT;
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> false;
        };
        // DeepSeek-V2's own code rotates adjacent pairs of its q and k rows, so nothing moves there.
        boolean permute = qkv >= 0 && qkv < 2 && adjacentPairs && type != HfModelType.DEEPSEEK_V2;
        long rowElements = isBias(w) ? 1 : spec.dModel();
        if (type == HfModelType.GPT2) {
            long d = spec.dModel();
            if (qkv >= 0) {
                return isBias(w) ? new HfTensor.Blocks(w.name(), d, new long[] {qkv * d})
                        : new HfTensor.Transposed(w.name(), 3 * d, qkv * d);
            }
            if (conv1d(type, w)) {
                return new HfTensor.Transposed(w.name(), w.ne()[1], 0);
            }
        } else if (qkv >= 0 && (type == HfModelType.BLOOM || type == HfModelType.FALCON)) {
            return rows(w, rowElements, fusedRows(spec, qkv, permute));
        } else if (type == HfModelType.PHI3 && (qkv >= 0 || gateOrUp(w.name()) >= 0)) {
            // q, k, v one after the other; gate, then up
            long firstRow = qkv == 0 ? 0 : qkv == 1 ? (long) spec.heads() * spec.headDim()
                    : qkv == 2 ? (long) (spec.heads() + spec.kvHeads()) * spec.headDim()
                    : (long) gateOrUp(w.name()) * spec.ffnDim();
            long[] rows = new long[(int) (w.elements() / rowElements)];
            int hd = spec.headDim();
            for (int r = 0; r < rows.length; r++) {
                rows[r] = firstRow + (permute ? (long) (r / hd) * hd + halvesRow(r % hd, hd) : r);
            }
            return rows(w, rowElements, rows);
        } else if (permute) {
            long[] rows = new long[(int) (w.elements() / rowElements)];
            int hd = spec.headDim();
            for (int r = 0; r < rows.length; r++) {
                rows[r] = (long) (r / hd) * hd + halvesRow(r % hd, hd);
            }
            return rows(w, rowElements, rows);
        }
        return HfTensor.Blocks.whole(w.name(), w.elements());
    }

    /** For each row of q (0), k (1) or v (2), its row in the fused [G, H/G + 2, hd] layout. */
    private static long[] fusedRows(ModelSpec spec, int qkv, boolean permute) {
        int heads = spec.heads(), groups = spec.kvHeads(), hd = spec.headDim(), perGroup = heads / groups;
        int count = qkv == 0 ? heads : groups;
        long[] rows = new long[count * hd];
        for (int h = 0; h < count; h++) {
            long fusedHead = qkv == 0 ? (long) (h / perGroup) * (perGroup + 2) + h % perGroup
                    : (long) h * (perGroup + 2) + perGroup + qkv - 1;
            for (int t = 0; t < hd; t++) {
                rows[h * hd + t] = fusedHead * hd + (permute ? halvesRow(t, hd) : t);
            }
        }
        return rows;
    }

    /** The HF row (halves pairing) that llmgraph's row {@code t} of a head (adjacent pairing) comes from. */
    static int halvesRow(int t, int hd) {
        return (t % 2) * (hd / 2) + t / 2;
    }

    private static HfTensor.Blocks rows(WeightLayout.Weight w, long rowElements, long[] hfRows) {
        long[] starts = new long[hfRows.length];
        for (int r = 0; r < starts.length; r++) {
            starts[r] = hfRows[r] * rowElements;
        }
        return new HfTensor.Blocks(w.name(), rowElements, starts);
    }

    /** 0, 1, 2 for the q, k, v projection (weight or bias) of any layer, -1 otherwise. */
    private static int qkvIndex(String weight) {
        return weight.matches("blk\\.\\d+\\.attn_q\\.(weight|bias)") ? 0
                : weight.matches("blk\\.\\d+\\.attn_k\\.(weight|bias)") ? 1
                : weight.matches("blk\\.\\d+\\.attn_v\\.(weight|bias)") ? 2 : -1;
    }

    /** 0 for the gate, 1 for the up projection of a gated FFN (weight or bias), -1 otherwise. */
    private static int gateOrUp(String weight) {
        return weight.matches("blk\\.\\d+\\.ffn_gate\\.(weight|bias)") ? 0
                : weight.matches("blk\\.\\d+\\.ffn_up\\.(weight|bias)") ? 1 : -1;
    }

    /** GPT-2's Conv1D projections: every 2-d weight of a block. */
    private static boolean conv1d(HfModelType type, WeightLayout.Weight w) {
        return type == HfModelType.GPT2 && w.name().startsWith("blk.") && w.ne().length == 2;
    }

    private static boolean isBias(WeightLayout.Weight w) {
        return w.name().endsWith(".bias");
    }
}
