package dev.llmgraph.presets;

import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.Transformer;

/**
 * Published state space models (Mamba, Mamba-2) as specs; {@link Presets#all()} lists them with the others. Mamba's
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
        StateSpace mixer = switch (full.ssm()) {
            case Ssm mamba -> Ssm.mamba(32).withStateDim(mamba.stateDim()).withConvWidth(mamba.convWidth());
            case Mamba2 mamba2 -> Mamba2.of(32).withStateDim(16).withConvWidth(mamba2.convWidth())
                    .withHeads(4, 4 % mamba2.groups() == 0 ? mamba2.groups() : 1);
        };
        return full.toBuilder().name("tiny-" + full.name()).vocabSize(256).dModel(32).layers(2).contextLength(128)
                .ssm(mixer).build();
    }
}
