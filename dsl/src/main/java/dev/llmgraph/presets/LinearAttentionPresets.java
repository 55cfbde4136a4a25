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
     * A TransNormerLLM-385M-shaped spec (Qin et al. 2023, "TransNormerLLM"; config at
     * https://huggingface.co/OpenNLPLab/TransNormerLLM-385M/blob/main/config.json): decoder_embed_dim 1024,
     * decoder_layers 24, decoder_attention_heads 8 (heads of 128), glu_dim 2816 with the simple GLU (no activation:
     * {@link Ffn#bilinear}), norm_type simplermsnorm (SRMSNorm, no gain) before each sublayer and at the end,
     * vocab_size 64000, no bias, an untied output head; linear attention with the identity map, the SiLU output gate,
     * SRMSNorm on the read-out and TransNormerLLM's decay (ALiBi's slopes per head, weaker in deeper layers).
     * Approximated: LRPE, which the config puts on layer 0 only (linear_use_lrpe_list), is left out (llmgraph refuses
     * it, see {@link LinearAttention#lrpe}); the read-out is scaled by headDim^-1/2, which the SRMSNorm after it
     * cancels; eps 1e-5 for every SRMSNorm. The spec counts 464 519 168 parameters (q, k, v, u, o of 1024 x 1024 and
     * the GLU's three 1024 x 2816 per layer, two 64000 x 1024 tables); these figures were written down from the
     * paper and config as remembered, not re-read (no network here), so the gap to the name's 385M (a tied table
     * would give 398 983 168) is not accounted for.
     */
    public static ModelSpec transNormerLlm385m() {
        return Transformer.causalDecoder("transnormerllm-385m").vocabSize(64_000).dModel(1024).layers(24)
                .contextLength(2048).positional(Positional.none()).norm(Norm.simpleRms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.bilinear(2816)).embeddings(Embeddings.untied())
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
