package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv6;

import java.util.List;

/**
 * llama.cpp's {@code rwkv6} ({@code src/models/rwkv6.cpp} and {@code rwkv6-base.cpp}, Finch): a LayerNorm after the
 * embedding lookup ({@code token_embd_norm}), blocks {@code x + TimeMix(LayerNorm(x))}, {@code x +
 * ChannelMix(LayerNorm(x))} (the second norm is {@code attn_norm_2}), a final LayerNorm and a separate output head.
 * The time mixing's sizes are the keys {@code wkv.head_size}, {@code time_mix_extra_dim} and
 * {@code time_decay_extra_dim}; the token-shift lerps are the fused {@code time_mix_lerp_fused} [d, 1, 1, 5] as the
 * current converter writes them. {@code token_shift_count} must be 2 (llama.cpp asserts it) and
 * {@code rescale_every_n_layers} 0 (llmgraph has no halving of the stream every n layers). The converter writes
 * {@code attention.head_count} as 0.
 */
final class Rwkv6Architecture implements Architecture {
    @Override
    public String name() {
        return "rwkv6";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(true, false);
        m.rwkv(Rwkv6.class);
        m.layerNormWithBias();
        m.placement(NormPlacement.PRE);
        m.untiedOutput();
        m.plainOutput();
        return m.list();
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        String a = name() + ".";
        Rwkv6 m = (Rwkv6) spec.rwkv(); // misfits() admits only RWKV-6 here
        out.putUint32(a + "wkv.head_size", m.headSize());
        out.putUint32(a + "time_mix_extra_dim", m.mixRank());
        out.putUint32(a + "time_decay_extra_dim", m.decayRank());
        out.putUint32(a + "rescale_every_n_layers", 0);
        out.putUint32(a + "token_shift_count", 2);
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        RwkvKeys.requirePlain(f);
        Rwkv6 rwkv = new Rwkv6(f.keys.requireInt("wkv.head_size"), f.ffnLength,
                f.keys.requireInt("time_mix_extra_dim"), f.keys.requireInt("time_decay_extra_dim"));
        return f.builder()
                .rwkv(rwkv)
                .positional(Positional.none())
                .norm(Norm.layer(f.layerNormEps()), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true))
                .build();
    }
}
