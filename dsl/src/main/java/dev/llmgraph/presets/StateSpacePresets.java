package dev.llmgraph.presets;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.Transformer;

/**
 * Published state space models (Mamba, Mamba-2, and Jamba's hybrid of Mamba and attention) as specs; {@link Presets#all()} lists them with the others. Mamba's
 * checkpoints pad the GPT-NeoX tokenizer's 50 277 tokens to a multiple of 8 (50 280), tie the output head to the
 * embeddings, use RMSNorm 1e-5 and the mixer defaults d_state 16, d_conv 4, expand 2, dt_rank ceil(d_model / 16).
 * They were trained on 2048-token sequences; a recurrence has no context limit of its own.
 */
final class StateSpacePresets {
    private StateSpacePresets() {}

    /**
     * Mamba-130M (https://huggingface.co/state-spaces/mamba-130m/blob/main/config.json): d_model 768, n_layer 24.
     * 129 135 360 parameters from this config (the name rounds them to 130M).
     */
    static ModelSpec mamba130m() {
        return mamba("mamba-130m", 768, 24).build();
    }

    /**
     * Mamba-2.8B (https://huggingface.co/state-spaces/mamba-2.8b/blob/main/config.json): d_model 2560, n_layer 64.
     * 2 768 345 600 parameters from this config (the name rounds them to 2.8B).
     */
    static ModelSpec mamba2_8b() {
        return mamba("mamba-2.8b", 2560, 64).build();
    }

    /**
     * Mamba-2 2.7B (https://huggingface.co/state-spaces/mamba2-2.7b/blob/main/config.json): d_model 2560, n_layer
     * 64, ssm_cfg layer Mamba2 with d_state 128, headdim 64 (80 heads), ngroups 1, expand 2, d_conv 4; vocab_size
     * 50277 padded to a multiple of 16 (50 288), tied. 2 702 599 680 parameters from this config (the name's 2.7B).
     */
    static ModelSpec mamba2_2_7b() {
        return Transformer.causalDecoder("mamba2-2.7b").vocabSize(50_288).dModel(2560).layers(64).contextLength(2048)
                .positional(Positional.none()).norm(Norm.rms(1e-5), NormPlacement.PRE).tiedEmbeddings(true)
                .ssm(Mamba2.of(2560)).build();
    }

    /**
     * Jamba-v0.1 (https://huggingface.co/ai21labs/Jamba-v0.1/blob/main/config.json): 32 layers of width 4096,
     * attention on layers 4, 12, 20, 28 ({@code attn_layer_period} 8, {@code attn_layer_offset} 4; 32 heads, 8 K/V
     * heads, no positions: the attention applies no RoPE), Mamba elsewhere (d_state 16, d_conv 4, expand 2, dt_rank
     * ceil(4096 / 16) = 256, a conv bias, no projection biases, RMSNorms on dt, B and C); after every mixer SwiGLU of
     * 14 336, or on the odd layers ({@code expert_layer_period} 2, {@code expert_layer_offset} 1) 16 such experts,
     * top-2, softmax not renormalised; RMSNorm 1e-6, vocabulary 65 536, untied, 262 144 positions.
     * 51 570 323 328 parameters: the model card's "52B total", and exactly half the {@code total_size}
     * 103 140 646 656 bytes (bf16) of a {@code model.safetensors.index.json} of this configuration, quoted in a model
     * card of a Jamba checkpoint with this config (its chat template suggests AI21-Jamba-1.5-Mini, the same
     * architecture; v0.1's own index file was not reachable to check).
     */
    static ModelSpec jambaV01() {
        return Transformer.causalDecoder("jamba-v0.1").vocabSize(65_536).dModel(4096).layers(32)
                .contextLength(262_144).positional(Positional.none()).norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ssm(Ssm.mamba(4096).withDtBcNorm(true))
                .hybrid(HybridPattern.softmaxEvery(8).withOffset(4))
                .attention(Attention.grouped(32, 8))
                .ffn(Ffn.swiglu(14_336))
                .moe(Moe.of(16, 2, Ffn.swiglu(14_336)).withRouter(Router.softmax()).withSparseEvery(2, 1))
                .build();
    }

    private static ModelBuilder mamba(String name, int dModel, int layers) {
        return Transformer.causalDecoder(name).vocabSize(50_280).dModel(dModel).layers(layers).contextLength(2048)
                .positional(Positional.none()).norm(Norm.rms(1e-5), NormPlacement.PRE).tiedEmbeddings(true)
                .ssm(Ssm.mamba(dModel));
    }

    /**
     * The same architecture at test size: 2 layers, dModel 32, vocabulary 256; Mamba at its defaults for dModel 32,
     * Mamba-2 with 4 heads of 16 and a state of 16 (its groups kept where 4 heads can share them); RWKV's own
     * ({@link RwkvPresets#tiny}).
     */
    static ModelSpec tiny(ModelSpec full) {
        if (full.rwkv() != null) {
            return RwkvPresets.tiny(full);
        }
        if (full.linear() != null) {
            return LinearAttentionPresets.tiny(full);
        }
        StateSpace mixer = switch (full.ssm()) {
            case Ssm mamba -> Ssm.mamba(32).withStateDim(mamba.stateDim()).withConvWidth(mamba.convWidth())
                    .withDtBcNorm(mamba.dtBcNorm());
            case Mamba2 mamba2 -> Mamba2.of(32).withStateDim(16).withConvWidth(mamba2.convWidth())
                    .withHeads(4, 4 % mamba2.groups() == 0 ? mamba2.groups() : 1);
        };
        if (full.hybrid() != null) {
            // Jamba: enough layers to reach the first attention layer; attention, FFN and experts as Presets.tiny's.
            Attention a = full.attention();
            int kvHeads = a.kvHeads() == a.heads() ? 4 : a.kvHeads() == 1 ? 1 : 2;
            return full.toBuilder().name("tiny-" + full.name()).vocabSize(256).dModel(32)
                    .layers(Math.max(2, full.hybrid().offset() + 1)).contextLength(128).ssm(mixer)
                    .attention(a.withHeads(4, kvHeads).withHeadDim(8)).ffn(full.ffn().withWidth(16))
                    .moe(full.moe() == null ? null : MoePresets.tiny(full.moe())).build();
        }
        return full.toBuilder().name("tiny-" + full.name()).vocabSize(256).dModel(32).layers(2).contextLength(128)
                .ssm(mixer).build();
    }
}
