package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv7;

import java.util.List;
import java.util.Map;

/**
 * llama.cpp's {@code rwkv7} ({@code src/models/rwkv7.cpp} and {@code rwkv7-base.cpp}, Goose): the block layout of
 * {@code rwkv6} (embedding LayerNorm, {@code attn_norm}, {@code attn_norm_2}, final LayerNorm, separate head) with
 * RWKV-7's time mixing. Its LoRA ranks are the keys {@code attention.decay_lora_rank}, {@code .iclr_lora_rank},
 * {@code .value_residual_mix_lora_rank} and {@code .gate_lora_rank}; the head size {@code wkv.head_size};
 * {@code token_shift_count} must be 2; layer 0 carries value-residual tensors llama.cpp loads but never uses (copies
 * of a0, a1, a2, as the converter writes them: {@link #copies}). llmgraph's RWKV-7 always has the output gate and the group norm, which
 * llama.cpp's graph makes optional.
 */
final class Rwkv7Architecture implements Architecture {
    @Override
    public String name() {
        return "rwkv7";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(true, false);
        m.rwkv(Rwkv7.class);
        m.layerNormWithBias();
        m.placement(NormPlacement.PRE);
        m.untiedOutput();
        m.plainOutput();
        return m.list();
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        String a = name() + ".";
        Rwkv7 m = (Rwkv7) spec.rwkv(); // misfits() admits only RWKV-7 here
        out.putUint32(a + "wkv.head_size", m.headSize());
        out.putUint32(a + "attention.decay_lora_rank", m.decayRank());
        out.putUint32(a + "attention.iclr_lora_rank", m.iclrRank());
        out.putUint32(a + "attention.value_residual_mix_lora_rank", m.valueRank());
        out.putUint32(a + "attention.gate_lora_rank", m.gateRank());
        out.putUint32(a + "token_shift_count", 2);
    }

    /** llama.cpp loads v0, v1, v2 on layer 0 and never uses them; its converter writes a0, a1, a2 there. */
    @Override
    public Map<String, String> copies(ModelSpec spec) {
        return Map.of("blk.0.time_mix_v0.weight", "blk.0.time_mix_a0.weight",
                "blk.0.time_mix_v1.weight", "blk.0.time_mix_a1.weight",
                "blk.0.time_mix_v2.weight", "blk.0.time_mix_a2.weight");
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        RwkvKeys.requirePlain(f);
        if (!f.keys.has("attention.gate_lora_rank")) {
            throw f.keys.problem("key '" + f.keys.key("attention.gate_lora_rank") + "' is missing: an RWKV-7 without "
                    + "the output gate, which llmgraph's RWKV-7 always has");
        }
        Rwkv7 rwkv = new Rwkv7(f.keys.requireInt("wkv.head_size"), f.ffnLength,
                f.keys.requireInt("attention.decay_lora_rank"), f.keys.requireInt("attention.iclr_lora_rank"),
                f.keys.requireInt("attention.value_residual_mix_lora_rank"),
                f.keys.requireInt("attention.gate_lora_rank"));
        return f.builder()
                .rwkv(rwkv)
                .positional(Positional.none())
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true))
                .build();
    }
}
