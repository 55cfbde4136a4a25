package dev.llmgraph.presets;

import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

/**
 * Linear-attention models as specs; {@link Presets#stateSpace()} lists them with the other recurrent models (they have
 * no softmax attention and no KV cache).
 */
public final class LinearAttentionPresets {
    private LinearAttentionPresets() {}

    /**
     * A TransNormerLLM-385M-shaped spec (Qin et al. 2023, "TransNormerLLM", arXiv:2307.14995; weights at
     * https://huggingface.co/OpenNLPLab/TransNormerLLM-385M). Its config.json could not be read here (no network, and
     * no copy in the code and page collections searched). Read instead: OpenNLPLab's TransNormerLLM remote code as
     * copied in public repositories. configuration_transnormer.py's TransnormerConfig defaults: vocab_size 64000,
     * decoder_embed_dim 1024, decoder_layers 24, decoder_attention_heads 8 (heads of 128), hidden_dim 1024, glu_dim
     * 2816, norm_type simplermsnorm, linear_act_fun silu, no_scale_embedding false, bias false. modeling_transnormer.py:
     * each layer is x + out(u * SRMSNorm(linear attention(SiLU(q), SiLU(k), v))) with q | k | v | u one 1024 -> 4096
     * projection and the decay exp(-s_h (1 - l / (L - 1) + 1e-5)) on ALiBi's slopes s_h, then x + l3(l1 x * l2 x)
     * (the simple GLU: {@link Ffn#bilinear}), SRMSNorm (no gain) before each and at the end; embeddings times
     * sqrt(1024) = 32; and an lm_head "automatically tied to the embed tokens weight". Those defaults are taken as the
     * 385M's config. Counted: 398 983 168 parameters (24 x (5 x 1024 x 1024 + 3 x 1024 x 2816) + 64 000 x 1024). That
     * is not the name's 385M, nor the README's 0.39B; without the config the gap is not accounted for (a GPT-NeoX
     * vocabulary of 50 432 would give 385 089 536, but nothing read here says the 385M used one).
     * Approximated: LRPE (linear_use_lrpe_list, first layer only in the later TransNormerLLM releases) is left out,
     * since llmgraph refuses it ({@link LinearAttention#lrpe}); the output gate is SiLU(W_u x), where the code
     * multiplies by W_u x itself; every SRMSNorm is x / sqrt(mean(x^2) + 1e-5) (the code's eps was not read); the
     * read-out is scaled by headDim^-1/2, which the SRMSNorm after it cancels; the context of 2048 is not from the
     * config.
     */
    public static ModelSpec transNormerLlm385m() {
        return Transformer.causalDecoder("transnormerllm-385m").vocabSize(64_000).dModel(1024).layers(24)
                .contextLength(2048).positional(Positional.none()).norm(Norm.simpleRms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.bilinear(2816)).embeddings(Embeddings.tiedWeights().withScale(32))
                .linearAttention(LinearAttention.transNormer(8)).build();
    }

    /**
     * The same architecture at test size: 2 layers, dModel 128 in two heads of 64 (ggml's gated_linear_attn takes
     * heads of 64 or 128), the FFN's width ratio kept (rounded to a multiple of 32), vocabulary 256, context 128.
     */
    static ModelSpec tiny(ModelSpec full) {
        int ffn = Math.max(32, (int) Math.round((double) full.ffnDim() / full.dModel() * 128 / 32) * 32);
        return full.toBuilder().name("tiny-" + full.name()).vocabSize(256).dModel(128).layers(2).contextLength(128)
                .ffn(full.ffn().withWidth(ffn)).linearAttention(full.linear().withHeads(2)).build();
    }
}
