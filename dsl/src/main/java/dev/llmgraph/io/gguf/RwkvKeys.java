package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;

/**
 * The keys of llama.cpp's {@code rwkv6} and {@code rwkv7} ({@code src/models/rwkv6.cpp}, {@code rwkv7.cpp} and their
 * {@code -base.cpp}): the time mixing's sizes; the block layout (embedding LayerNorm, {@code attn_norm},
 * {@code attn_norm_2}, final LayerNorm, separate head) is the families' facts.
 * <ul>
 *   <li>rwkv6 (Finch): {@code wkv.head_size}, {@code time_mix_extra_dim}, {@code time_decay_extra_dim}; the
 *       token-shift lerps are the fused {@code time_mix_lerp_fused} [d, 1, 1, 5] as the current converter writes
 *       them.</li>
 *   <li>rwkv7 (Goose): {@code wkv.head_size} and the LoRA ranks {@code attention.decay_lora_rank},
 *       {@code .iclr_lora_rank}, {@code .value_residual_mix_lora_rank} and {@code .gate_lora_rank}. llmgraph's
 *       RWKV-7 always has the output gate and the group norm, which llama.cpp's graph makes optional.</li>
 * </ul>
 * Both: {@code token_shift_count} must be 2 (llama.cpp asserts it) and {@code rescale_every_n_layers} 0 (llmgraph
 * has no halving of the stream every n layers). The converter writes {@code attention.head_count} as 0.
 */
final class RwkvKeys {
    private RwkvKeys() {}

    /** The time mixing's keys; the family's misfits have admitted only its own RWKV version here. */
    static void write(String architecture, ModelSpec spec, GgufWriter out) {
        String a = architecture + ".";
        Rwkv rwkv = spec.rwkv();
        out.putUint32(a + "wkv.head_size", rwkv.headSize());
        switch (rwkv) {
            case Rwkv6 m -> {
                out.putUint32(a + "time_mix_extra_dim", m.mixRank());
                out.putUint32(a + "time_decay_extra_dim", m.decayRank());
                out.putUint32(a + "rescale_every_n_layers", 0);
            }
            case Rwkv7 m -> {
                out.putUint32(a + "attention.decay_lora_rank", m.decayRank());
                out.putUint32(a + "attention.iclr_lora_rank", m.iclrRank());
                out.putUint32(a + "attention.value_residual_mix_lora_rank", m.valueRank());
                out.putUint32(a + "attention.gate_lora_rank", m.gateRank());
            }
        }
        out.putUint32(a + "token_shift_count", 2);
    }

    static ModelSpec readRwkv6(ModelFile f) {
        requirePlain(f);
        Rwkv6 rwkv = new Rwkv6(f.keys.requireInt("wkv.head_size"), f.ffnLength,
                f.keys.requireInt("time_mix_extra_dim"), f.keys.requireInt("time_decay_extra_dim"));
        return withMixer(f, rwkv);
    }

    static ModelSpec readRwkv7(ModelFile f) {
        requirePlain(f);
        if (!f.keys.has("attention.gate_lora_rank")) {
            throw f.keys.problem("key '" + f.keys.key("attention.gate_lora_rank") + "' is missing: an RWKV-7 without "
                    + "the output gate, which llmgraph's RWKV-7 always has");
        }
        Rwkv7 rwkv = new Rwkv7(f.keys.requireInt("wkv.head_size"), f.ffnLength,
                f.keys.requireInt("attention.decay_lora_rank"), f.keys.requireInt("attention.iclr_lora_rank"),
                f.keys.requireInt("attention.value_residual_mix_lora_rank"),
                f.keys.requireInt("attention.gate_lora_rank"));
        return withMixer(f, rwkv);
    }

    private static ModelSpec withMixer(ModelFile f, Rwkv rwkv) {
        return f.builder()
                .rwkv(rwkv)
                .positional(Positional.none())
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true))
                .build();
    }

    /** Two token shifts (time mix, channel mix), as llama.cpp asserts; no halving of the stream every n layers. */
    private static void requirePlain(ModelFile f) {
        int shifts = f.keys.intOr("token_shift_count", 2);
        if (shifts != 2) {
            throw f.keys.problem("key '" + f.keys.key("token_shift_count") + "' = " + shifts + ": RWKV shifts the "
                    + "time mix's and the channel mix's input, 2 token shifts per layer (llama.cpp asserts 2)");
        }
        int rescale = f.keys.intOr("rescale_every_n_layers", 0);
        if (rescale != 0) {
            throw f.keys.problem("key '" + f.keys.key("rescale_every_n_layers") + "' = " + rescale + ": halving the "
                    + "residual stream every " + rescale + " layers (an fp16 trick of RWKV's runtime), which "
                    + "llmgraph's RWKV does not do");
        }
    }
}
