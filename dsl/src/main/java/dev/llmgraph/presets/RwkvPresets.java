package dev.llmgraph.presets;

import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Transformer;

/**
 * Published RWKV models as specs; {@link Presets#stateSpace()} lists them with the other recurrent models. Both use
 * the RWKV World tokenizer's 65 536 tokens, a LayerNorm (eps 1e-5, with bias) after the embedding lookup and before
 * every sublayer, a final LayerNorm and a separate output head, heads of 64. The context length is the 4096 tokens
 * they were trained on; a recurrence has no limit of its own.
 */
public final class RwkvPresets {
    private RwkvPresets() {}

    /**
     * RWKV-6 "Finch" 1.6B (https://huggingface.co/RWKV/rwkv-6-world-1b6/blob/main/config.json): hidden_size 2048,
     * num_hidden_layers 24, head_size 64, intermediate_size null (so int(3.5 x 2048 / 32) x 32 = 7168), vocab_size
     * 65536, untied; the token-shift and decay LoRA ranks 32 and 64 (time_mix_extra_dim, time_decay_extra_dim for
     * hidden sizes below 4096, as the reference code and llama.cpp's converter set them). 1 599 873 024 parameters,
     * the sum over the checkpoint's tensors (the name rounds them to 1.6B). Its config's rescale_every 6 is an fp16
     * trick of the runtime (the stream halved every 6 layers, the weights pre-divided), not part of the model.
     */
    public static ModelSpec finch1b6() {
        return rwkv("rwkv6-finch-1.6b").rwkv(Rwkv6.finch(2048)).build();
    }

    /**
     * RWKV-7 "Goose" 1.5B (https://huggingface.co/fla-hub/rwkv7-1.5B-world/blob/main/config.json): hidden_size 2048,
     * num_hidden_layers 24, head_dim 64, intermediate_size 8192, decay_low_rank_dim 96, a_low_rank_dim 96,
     * v_low_rank_dim 64, gate_low_rank_dim 256, vocab_size 65536, untied; layer 0 has no value-residual LoRA.
     * 1 527 404 544 parameters, the sum over the checkpoint's tensors (the name rounds them to 1.5B).
     */
    public static ModelSpec goose1b5() {
        return rwkv("rwkv7-goose-1.5b").rwkv(new Rwkv7(64, 8192, 96, 96, 64, 256)).build();
    }

    private static ModelBuilder rwkv(String name) {
        return Transformer.causalDecoder(name).vocabSize(65_536).dModel(2048).layers(24).contextLength(4096)
                .positional(Positional.none()).norm(Norm.layer(1e-5), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true));
    }

    /**
     * The same architecture at test size: 2 layers, dModel 64 (one head of 64: ggml's WKV kernels take heads of 64 or
     * 128), the channel mixing's width ratio kept (rounded to a multiple of 32), every LoRA rank 8, vocabulary 256.
     */
    static ModelSpec tiny(ModelSpec full) {
        Rwkv mixer = full.rwkv();
        int ffn = Math.max(32, (int) Math.round((double) mixer.ffnDim() / full.dModel() * 64 / 32) * 32);
        Rwkv small = switch (mixer) {
            case Rwkv6 _ -> new Rwkv6(64, ffn, 8, 8);
            case Rwkv7 _ -> new Rwkv7(64, ffn, 8, 8, 8, 8);
        };
        return full.toBuilder().name("tiny-" + full.name()).vocabSize(256).dModel(64).layers(2).contextLength(128)
                .rwkv(small).build();
    }
}
