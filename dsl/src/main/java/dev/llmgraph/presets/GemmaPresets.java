package dev.llmgraph.presets;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

/**
 * Google's Gemma 2 and Gemma 3 as specs, each with its configuration as a source comment: RMSNorm before and after
 * each sublayer, GeGLU, embeddings scaled by sqrt(dModel), sliding windows on most layers. {@link Presets} lists them
 * with the others.
 */
final class GemmaPresets {
    private GemmaPresets() {}

    /**
     * Gemma-2-2B (google/gemma-2-2b config.json): hidden_size 2304, intermediate_size 9216 (GeGLU, gelu_pytorch_tanh),
     * num_hidden_layers 26, num_attention_heads 8 of head_dim 256, num_key_value_heads 4, query_pre_attn_scalar 256,
     * sliding_window 4096 on every other layer, attn_logit_softcapping 50, final_logit_softcapping 30, RMSNorm (eps
     * 1e-6) before and after each sublayer, embeddings scaled by sqrt(2304) = 48 and tied, rope_theta 10000 (rotating
     * halves), max_position_embeddings 8192, vocab_size 256000. 2 614 341 888, the model card's "2.6B".
     */
    static ModelSpec gemma2_2b() {
        return Transformer.causalDecoder("gemma-2-2b")
                .vocabSize(256000).dModel(2304).layers(26).contextLength(8192)
                .attention(Attention.grouped(8, 4).withHeadDim(256)
                        .withSlidingWindow(SlidingWindow.withGlobalEvery(4096, 2)).withLogitSoftcap(50))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.SANDWICH)
                .ffn(new Ffn(Activation.GELU_TANH, true, 9216, false))
                .embeddings(Embeddings.tiedWeights().withScale(Math.sqrt(2304)))
                .finalLogitSoftcap(30)
                .build();
    }

    /**
     * Gemma-3-1B (google/gemma-3-1b-pt config.json, model_type gemma3_text): hidden_size 1152, intermediate_size 6912
     * (GeGLU, gelu_pytorch_tanh), num_hidden_layers 26, num_attention_heads 4 of head_dim 256, num_key_value_heads 1,
     * q and k RMS-normalised per head, q scaled by query_pre_attn_scalar 256 before q.k, sliding_window 512 on five layers of six
     * (sliding_window_pattern 6), which rotate with rope_local_base_freq 10000 while the global layers use rope_theta
     * 1000000 (rotating halves), no soft-caps, RMSNorm (eps 1e-6) before and after each sublayer, embeddings scaled
     * by sqrt(1152) and tied, max_position_embeddings 32768, vocab_size 262144. 999 885 952, the model card's "1B".
     */
    static ModelSpec gemma3_1b() {
        return gemma3("gemma-3-1b", 1152, 26, 6912).build();
    }

    /**
     * Gemma-3-270M (google/gemma-3-270m config.json): Gemma-3-1B's architecture with hidden_size 640,
     * intermediate_size 2048 and 18 layers (layer_types: five sliding, one full, three times). 268 098 176: the
     * model card's 170M embedding and 100M transformer parameters.
     */
    static ModelSpec gemma3_270m() {
        return gemma3("gemma-3-270m", 640, 18, 2048).build();
    }

    /**
     * Gemma-3-4B's text model (google/gemma-3-4b-pt config.json, model_type gemma3: an image-and-text model whose
     * text_config sets hidden_size 2560, intermediate_size 10240, num_hidden_layers 34, sliding_window 1024 and
     * rope_scaling linear x8; the rest are Gemma3TextConfig's defaults): num_attention_heads 8 of head_dim 256,
     * num_key_value_heads 4, max_position_embeddings 131072, vocab_size 262208, Gemma-3-1B's block otherwise. The
     * global layers' RoPE is scaled, the sliding ones' (rope_local_base_freq 10000) is not. 3 880 263 168: llama.cpp's
     * text GGUF says 3.88 B (the model card's "4B" counts the vision encoder too).
     */
    static ModelSpec gemma3_4b() {
        return imageAndText("gemma-3-4b", 2560, 34, 10240, 8, 4).build();
    }

    /**
     * Gemma-3-12B's text model (google/gemma-3-12b-pt config.json, model_type gemma3; text_config: hidden_size 3840,
     * intermediate_size 15360, num_hidden_layers 48, num_attention_heads 16, num_key_value_heads 8, sliding_window
     * 1024, rope_scaling linear x8): Gemma-3-4B's design otherwise. 11 766 034 176: llama.cpp's text GGUF says
     * 11.77 B.
     */
    static ModelSpec gemma3_12b() {
        return imageAndText("gemma-3-12b", 3840, 48, 15360, 16, 8).build();
    }

    /**
     * Gemma-3-27B's text model (google/gemma-3-27b-pt config.json, model_type gemma3; text_config: hidden_size 5376,
     * intermediate_size 21504, num_hidden_layers 62, num_attention_heads 32 of head_dim 128, num_key_value_heads 16,
     * query_pre_attn_scalar 168 = 5376 / 32, sliding_window 1024, rope_scaling linear x8). 27 009 346 304: llama.cpp's
     * text GGUF says 27.01 B.
     */
    static ModelSpec gemma3_27b() {
        ModelBuilder b = imageAndText("gemma-3-27b", 5376, 62, 21504, 32, 16);
        return b.attention(attention(32, 16, 1024).withHeadDim(128).withSoftmaxScale(1 / Math.sqrt(168))).build();
    }

    /** The text model of an image-and-text Gemma 3: a vocabulary of 262208, 131072 positions, RoPE scaled x8. */
    private static ModelBuilder imageAndText(String name, int dModel, int layers, int ffnWidth, int heads,
                                             int kvHeads) {
        return gemma3(name, dModel, layers, ffnWidth)
                .vocabSize(262208).contextLength(131072)
                .attention(attention(heads, kvHeads, 1024))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES).withScaling(RopeScaling.linear(8))
                        .withSlidingTheta(10_000));
    }

    /** Gemma-3-1B's model with these sizes; the larger ones change more. */
    private static ModelBuilder gemma3(String name, int dModel, int layers, int ffnWidth) {
        return Transformer.causalDecoder(name)
                .vocabSize(262144).dModel(dModel).layers(layers).contextLength(32768)
                .attention(attention(4, 1, 512))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES).withSlidingTheta(10_000))
                .norm(Norm.rms(1e-6), NormPlacement.SANDWICH)
                .ffn(new Ffn(Activation.GELU_TANH, true, ffnWidth, false))
                .embeddings(Embeddings.tiedWeights().withScale(Math.sqrt(dModel)));
    }

    /** Gemma 3's attention: heads of 256, q and k normed per head, q scaled first, one global layer in six. */
    private static Attention attention(int heads, int kvHeads, int window) {
        return Attention.grouped(heads, kvHeads).withHeadDim(256).withQkNorm(QkNorm.PER_HEAD).withScaledQueries(true)
                .withSlidingWindow(SlidingWindow.withGlobalEvery(window, 6));
    }
}
