package dev.llmgraph.presets;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.Collections;
import java.util.List;

/**
 * Microsoft's Phi-2, Phi-3 and Phi-4-mini as specs, each with its configuration as a source comment. The 128k-context
 * models scale RoPE by LongRoPE, whose per-pair factors are part of the architecture: they are copied here as the
 * published config.json lists them. {@link Presets} lists them with the others.
 */
final class PhiPresets {
    private PhiPresets() {}

    /**
     * Phi-2 (microsoft/phi-2 config.json, model_type phi): hidden_size 2560, intermediate_size 10240 (an MLP with
     * gelu_new and biases), num_hidden_layers 32, num_attention_heads 32 with biases on q, k, v and dense, one
     * LayerNorm (eps 1e-5) feeding attention and the MLP in parallel, RoPE on halves of the first 0.4 of each head
     * (partial_rotary_factor: 32 of 80), rope_theta 10000, max_position_embeddings 2048, vocab_size 51200, an untied
     * lm_head with a bias; q scaled before q.k as llama.cpp's phi2 graph does. 2 779 683 840, the model card's "2.7B".
     */
    static ModelSpec phi2() {
        return Transformer.causalDecoder("phi-2")
                .vocabSize(51200).dModel(2560).layers(32).contextLength(2048)
                .attention(Attention.multiHead(32).withBias(true, true).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.4))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .parallelBlock(true)
                .ffn(new Ffn(Activation.GELU_TANH, false, 10240, true))
                .embeddings(Embeddings.untied().withOutputBias(true))
                .build();
    }

    /**
     * Phi-3-mini-4k (microsoft/Phi-3-mini-4k-instruct config.json, model_type phi3): hidden_size 3072,
     * intermediate_size 8192 (SwiGLU, gate and up in one gate_up_proj), num_hidden_layers 32, num_attention_heads 32,
     * num_key_value_heads 32 (q, k and v in one qkv_proj), sliding_window 2047 on every layer, rms_norm_eps 1e-5,
     * rope_theta 10000 (rotating halves), max_position_embeddings 4096, vocab_size 32064, untied; q scaled before q.k
     * as llama.cpp's phi3 graph does. 3 821 079 552, the model card's "3.8B".
     */
    static ModelSpec phi3Mini4k() {
        return Transformer.causalDecoder("phi-3-mini-4k")
                .vocabSize(32064).dModel(3072).layers(32).contextLength(4096)
                .attention(Attention.multiHead(32).withSlidingWindow(SlidingWindow.everyLayer(2047))
                        .withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(8192))
                .build();
    }

    /**
     * Phi-3.5-mini (microsoft/Phi-3.5-mini-instruct config.json, model_type phi3): Phi-3-mini's shape (hidden_size
     * 3072, intermediate_size 8192, 32 layers of 32 heads, vocab_size 32064, untied) with max_position_embeddings
     * 131072, original_max_position_embeddings 4096 and rope_scaling type longrope with the 48 short and 48 long
     * factors below; sliding_window 262144, longer than the context, so no layer slides. cos and sin are multiplied by
     * sqrt(1 + ln 32 / ln 4096) = 1.190. 3 821 079 552, as Phi-3-mini.
     */
    static ModelSpec phi35Mini() {
        return Transformer.causalDecoder("phi-3.5-mini")
                .vocabSize(32064).dModel(3072).layers(32).contextLength(131_072)
                .attention(Attention.multiHead(32).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES)
                        .withScaling(RopeScaling.longRope(PHI35_SHORT, PHI35_LONG, 4096, 131_072)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(8192))
                .build();
    }

    /**
     * Phi-4-mini (microsoft/Phi-4-mini-instruct config.json, model_type phi3): hidden_size 3072, intermediate_size
     * 8192, num_hidden_layers 32, num_attention_heads 24 of 128, num_key_value_heads 8, partial_rotary_factor 0.75 (96
     * of 128 dimensions rotated, in 48 pairs), rope_theta 10000, max_position_embeddings 131072,
     * original_max_position_embeddings 4096, rope_scaling longrope with short factors all 1 (plain RoPE within 4096
     * positions) and the long factors below, vocab_size 200064, tie_word_embeddings true, rms_norm_eps 1e-5;
     * sliding_window 262144, longer than the context. 3 836 021 760, the model card's "3.8B".
     */
    static ModelSpec phi4Mini() {
        return Transformer.causalDecoder("phi-4-mini")
                .vocabSize(200_064).dModel(3072).layers(32).contextLength(131_072)
                .attention(Attention.grouped(24, 8).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.75)
                        .withScaling(RopeScaling.longRope(Collections.nCopies(48, 1.0), PHI4_LONG, 4096, 131_072)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(8192))
                .tiedEmbeddings(true)
                .build();
    }

    /** Phi-3.5-mini's rope_scaling.short_factor. */
    private static final List<Double> PHI35_SHORT = List.of(
            1.0, 1.0199999809265137, 1.0299999713897705, 1.0299999713897705, 1.0499999523162842, 1.0499999523162842,
            1.0499999523162842, 1.0499999523162842, 1.0499999523162842, 1.0699999332427979, 1.0999999046325684,
            1.1099998950958252, 1.1599998474121094, 1.1599998474121094, 1.1699998378753662, 1.2899998426437378,
            1.339999794960022, 1.679999828338623, 1.7899998426437378, 1.8199998140335083, 1.8499997854232788,
            1.8799997568130493, 1.9099997282028198, 1.9399996995925903, 1.9899996519088745, 2.0199997425079346,
            2.0199997425079346, 2.0199997425079346, 2.0199997425079346, 2.0199997425079346, 2.0199997425079346,
            2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0299997329711914,
            2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0799996852874756,
            2.0899996757507324, 2.189999580383301, 2.2199995517730713, 2.5899994373321533, 2.729999542236328,
            2.749999523162842, 2.8399994373321533);

    /** Phi-3.5-mini's rope_scaling.long_factor. */
    private static final List<Double> PHI35_LONG = List.of(
            1.0800000429153442, 1.1100000143051147, 1.1399999856948853, 1.340000033378601, 1.5899999141693115,
            1.600000023841858, 1.6200000047683716, 2.620000123977661, 3.2300000190734863, 3.2300000190734863,
            4.789999961853027, 7.400000095367432, 7.700000286102295, 9.09000015258789, 12.199999809265137,
            17.670000076293945, 24.46000099182129, 28.57000160217285, 30.420001983642578, 30.840002059936523,
            32.590003967285156, 32.93000411987305, 42.320003509521484, 44.96000289916992, 50.340003967285156,
            50.45000457763672, 57.55000305175781, 57.93000411987305, 58.21000289916992, 60.1400032043457,
            62.61000442504883, 62.62000274658203, 62.71000289916992, 63.1400032043457, 63.1400032043457,
            63.77000427246094, 63.93000411987305, 63.96000289916992, 63.970001220703125, 64.02999877929688,
            64.06999969482422, 64.08000183105469, 64.12000274658203, 64.41000366210938, 64.4800033569336,
            64.51000213623047, 64.52999877929688, 64.83999633789062);

    /** Phi-4-mini's rope_scaling.long_factor. */
    private static final List<Double> PHI4_LONG = List.of(
            1.0, 1.118320672, 1.250641126, 1.398617824, 1.564103225, 1.74916897, 1.956131817, 2.187582649, 2.446418898,
            2.735880826, 3.059592084, 3.421605075, 3.826451687, 4.279200023, 4.785517845, 5.351743533, 5.984965424,
            6.693110555, 7.485043894, 8.370679318, 9.36110372, 10.4687158, 11.70738129, 13.09260651, 14.64173252,
            16.37415215, 18.31155283, 20.47818807, 22.90118105, 25.61086418, 28.64115884, 32.03, 32.1, 32.13, 32.23,
            32.6, 32.61, 32.64, 32.66, 32.7, 32.71, 32.93, 32.97, 33.28, 33.49, 33.5, 44.16, 47.77);
}
