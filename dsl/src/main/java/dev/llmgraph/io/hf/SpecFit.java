package dev.llmgraph.io.hf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;

import java.util.ArrayList;
import java.util.List;

/**
 * The choices of a spec that one HF model type cannot express, each as "field = value: reason". The checks
 * every type shares are here; each type adds its own.
 */
final class SpecFit {
    private final ModelSpec spec;
    private final String type;
    private final HfModelType hfType;
    private final List<String> problems = new ArrayList<>();

    SpecFit(ModelSpec spec, HfModelType type) {
        this.spec = spec;
        this.type = "HF " + type.id();
        this.hfType = type;
    }

    List<String> problems() {
        return problems;
    }

    /** Records a problem unless {@code fits}. */
    void require(boolean fits, String field, Object value, String reason) {
        if (!fits) {
            problems.add(field + " = " + value + ": " + type + " " + reason);
        }
    }

    /** What none of the decoder types has: other kinds and placements, softcaps, scaled embeddings (QK-norm: qwen3's). */
    SpecFit common() {
        return decoder(NormPlacement.PRE, "normalises before each sublayer (PRE)").plainLogitsAndEmbeddings()
                .beyondKindAndPlacement();
    }

    /** Gemma 2's: a causal decoder normalising before and after each sublayer, soft-caps and scale allowed. */
    SpecFit sandwich() {
        return decoder(NormPlacement.SANDWICH, "normalises before and after each sublayer (SANDWICH)")
                .beyondKindAndPlacement();
    }

    private SpecFit decoder(NormPlacement placement, String reason) {
        require(spec.kind() == ArchitectureKind.CAUSAL_DECODER, "kind", spec.kind(), "is a causal decoder");
        require(spec.placement() == placement, "placement", spec.placement(), reason);
        require(spec.finalNorm(), "finalNorm", false, "normalises after the last block");
        return this;
    }

    /** What an encoder type (bert) shares with none of the decoders: a post-LN ENCODER without a final norm. */
    SpecFit encoder() {
        require(spec.kind() == ArchitectureKind.ENCODER, "kind", spec.kind(), "is an encoder");
        require(spec.placement() == NormPlacement.POST, "placement", spec.placement(),
                "normalises after each residual add (POST)");
        require(!spec.finalNorm(), "finalNorm", true, "ends with the last block's own norm, no final norm");
        return plainLogitsAndEmbeddings().beyondKindAndPlacement();
    }

    /** No soft-caps and no scaled embeddings: every type but gemma2. */
    private SpecFit plainLogitsAndEmbeddings() {
        require(spec.finalLogitSoftcap() == 0, "finalLogitSoftcap", spec.finalLogitSoftcap(), "has no logit softcapping");
        require(spec.embeddings().scale() == 1.0, "embeddings.scale", spec.embeddings().scale(),
                "does not scale the embeddings");
        require(spec.attention().logitSoftcap() == 0, "attention.logitSoftcap", spec.attention().logitSoftcap(),
                "has no attention softcapping");
        return this;
    }

    /** The checks every type shares beyond its kind and norm placement. */
    private SpecFit beyondKindAndPlacement() {
        Attention a = spec.attention();
        qkNormOfFamily(a);
        Positional.Rope rope = spec.rope();
        if (rope != null && hfType != HfModelType.GEMMA3) {
            require(rope.slidingTheta() == 0, "positional.slidingTheta", rope.slidingTheta(),
                    "rotates every layer with rope_theta");
        }
        boolean outputBias = hfType.facts().outputBias() == FamilyFacts.Bias.REQUIRED;
        require(spec.embeddings().outputBias() == outputBias, "embeddings.outputBias", spec.embeddings().outputBias(),
                outputBias ? "has a bias on the output head (lm_head.bias)" : "has no bias on the output head");
        boolean scaled = hfType.facts().scaledQueries();
        require(a.scaledQueries() == scaled, "attention.scaledQueries", a.scaledQueries(), scaled
                ? "is read with q scaled before q.k, as llama.cpp computes it: withScaledQueries(true)"
                : "scales the attention logits");
        if (hfType == HfModelType.DEEPSEEK_V2) {
            require(spec.latentAttention(), "attention", spec.attention().variant(), "attends through a compressed "
                    + "latent (MLA): declare .latentAttention(LatentAttention.of(heads, kvRank))");
            return this;
        }
        if (hfType.routesToExperts()) {
            require(spec.sparse(), "moe", null, "routes tokens to experts");
        } else {
            require(!spec.sparse(), "moe", spec.moe(), "has a dense FFN in every layer ("
                    + HfModelType.joined(HfModelType::routesToExperts) + " route to experts)");
        }
        require(!spec.latentAttention(), "latent", spec.latent(), "has softmax attention over full keys (latent "
                + "attention is HF deepseek_v2's)");
        return this;
    }

    /** QK-norm as the type's family has it: per head in qwen3 (q_norm, k_norm), none in the others. */
    private void qkNormOfFamily(Attention a) {
        QkNorm expected = hfType.facts().qkNorm();
        require(a.qkNorm() == expected, "attention.qkNorm", a.qkNorm(), switch (expected) {
            case NONE -> "has no QK-norm";
            case PER_HEAD -> "RMS-normalises q and k per head before RoPE (q_norm and k_norm of head_dim)";
            case WHOLE_WIDTH -> "RMS-normalises q and k over the whole projection";
        });
    }

    /** RoPE over whole heads (either pairing: the reader and writer permute q and k rows for ADJACENT). */
    void rope() {
        rope(true);
    }

    /** RoPE, over whole heads where {@code wholeHeads} (else partial_rotary_factor says how much). */
    void rope(boolean wholeHeads) {
        switch (spec.positional()) {
            case Positional.Rope rope -> require(!wholeHeads || rope.fraction() == 1.0, "positional.fraction",
                    rope.fraction(), "rotates whole heads");
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> require(false, "positional", spec.positional(), "uses RoPE");
        }
    }

    private void layerNormWithBias() {
        boolean layerNormWithBias = switch (spec.norm()) {
            case Norm.LayerNorm ln -> ln.bias();
            case Norm.RmsNorm _, Norm.SimpleRmsNorm _ -> false;
        };
        require(layerNormWithBias, "norm", spec.norm(), "uses LayerNorm with a bias");
    }

    /** The norm kind of the type's family ({@link HfModelType#facts()}): RMSNorm, or LayerNorm with a bias. */
    void familyNorm() {
        switch (hfType.facts().norm()) {
            case RMS -> rmsNorm();
            case LAYER_WITH_BIAS -> layerNormWithBias();
        }
    }

    private void rmsNorm() {
        boolean rms = switch (spec.norm()) {
            case Norm.RmsNorm _ -> true;
            case Norm.LayerNorm _, Norm.SimpleRmsNorm _ -> false;
        };
        require(rms, "norm", spec.norm(), "uses RMSNorm");
    }

    void noParallelBlock() {
        require(!spec.parallelBlock(), "parallelBlock", true, "runs attention and the FFN one after the other");
    }

    void noEmbeddingNorm() {
        require(!spec.embeddings().layerNorm(), "embeddings.layerNorm", true, "has no LayerNorm after the embedding");
    }

    void noWindow() {
        Attention a = spec.attention();
        require(a.window() == null, "attention.window", a.window(), "has no sliding window");
    }

    /** Sliding on every layer or none: the only windows mistral and qwen2 configs share with llmgraph. */
    void windowOnEveryLayerOrNone() {
        Attention a = spec.attention();
        require(a.window() == null || a.window().globalEvery() == 0, "attention.window", a.window(),
                "slides on every layer or on none");
    }

    void defaultSoftmaxScale() {
        double scale = spec.attention().softmaxScale();
        require(scale == 0, "attention.softmaxScale", scale, "scales attention logits by 1/sqrt(headDim)");
    }

    /** Head size dModel / heads: the only one GPT-2, BLOOM and Falcon configs can say. */
    void implicitHeadDim() {
        Attention a = spec.attention();
        int implicit = spec.dModel() / a.heads();
        require(a.headDim() == 0 || (a.headDim() == implicit && spec.dModel() % a.heads() == 0), "attention.headDim",
                a.headDim(), "has heads of hidden_size / num_attention_heads = " + implicit);
    }

    void multiHead() {
        Attention a = spec.attention();
        require(a.kvHeads() == a.heads(), "attention.kvHeads", a.kvHeads(), "has one K/V head per query head (MHA)");
    }

    void attentionBias(boolean qkv, boolean out, String reason) {
        Attention a = spec.attention();
        require(a.qkvBias() == qkv && a.outBias() == out, "attention bias", biases(a), reason);
    }

    /** One attention_bias flag: biases on all of q, k, v and o, or on none (llama, qwen3, qwen3_moe). */
    void attentionBiasOnAllOrNone() {
        Attention a = spec.attention();
        require(a.qkvBias() == a.outBias(), "attention bias", biases(a),
                "puts its attention_bias on all of q, k, v and o or on none");
    }

    /** "on q, k, v and o", "on q, k and v", "on o" or "none". */
    static String biases(Attention a) {
        return a.qkvBias() && a.outBias() ? "on q, k, v and o" : a.qkvBias() ? "on q, k and v" : a.outBias() ? "on o"
                : "none";
    }
}
