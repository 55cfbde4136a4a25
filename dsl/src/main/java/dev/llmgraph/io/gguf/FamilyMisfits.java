package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.FamilyFacts.Experts;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;

import java.util.List;

/**
 * The choices of a spec that one family's llama.cpp graph does not make, checked from the family's
 * {@link FamilyFacts} in the order the graphs build them: embeddings, mixer, norms, positions, attention, FFN,
 * experts, output head. What a graph checks beyond its facts (Gemma's query scale, OLMoE's whole-width k norm,
 * DeepSeek's experts) is one case of a switch over {@link ModelFamily}.
 */
final class FamilyMisfits {
    private FamilyMisfits() {
    }

    static List<String> of(ModelFamily family, ModelSpec spec) {
        FamilyFacts facts = family.facts();
        Misfits m = new Misfits(spec, facts.llamaCpp());
        if (spec.recurrent() && !family.recurrent()) {
            return m.list(); // the checks below read attention and an FFN, which a recurrent model has not
        }
        if (facts.encoder()) {
            return encoder(facts, spec, m);
        }
        m.embeddings(facts.embeddings() == FamilyFacts.Embeddings.LAYER_NORMED,
                facts.embeddings() == FamilyFacts.Embeddings.SCALED_BY_SQRT_DMODEL);
        switch (facts.mixer()) {
            case SOFTMAX -> { }
            case LATENT -> m.latentAttention();
            case MAMBA -> m.mamba();
            case MAMBA2 -> m.mamba2();
            case RWKV6 -> m.rwkv(Rwkv6.class);
            case RWKV7 -> m.rwkv(Rwkv7.class);
            case MAMBA_ATTENTION_HYBRID -> {
                m.jamba();
                JambaKeys.misfits(spec, m);
            }
        }
        switch (facts.norm()) {
            case RMS -> m.rmsNorm();
            case LAYER_WITH_BIAS -> m.layerNormWithBias();
        }
        m.placement(facts.placement());
        if (family.recurrent()) {
            if (facts.outputHead() == FamilyFacts.OutputHead.NEVER_TIED) {
                m.untiedOutput();
            }
            m.outputBias(facts.outputBias());
            if (facts.mixer() != FamilyFacts.Mixer.MAMBA_ATTENTION_HYBRID) { // jamba's attention checks include it
                m.plainOutput();
            }
            return m.list();
        }
        m.parallelBlock(facts.parallelBlock());
        PositionMisfits.check(spec, facts.positions(), m);
        if (facts.mixer() == FamilyFacts.Mixer.LATENT) {
            m.plainOutput(); // MLA's own attention choices are checked by latentAttention()
        } else {
            m.qkNorm(facts.qkNorm());
            attention(family, spec, m);
            if (facts.squareAttention()) {
                m.squareAttention();
            }
            m.attentionBiases(facts.qkvBias(), facts.outBias());
        }
        Experts experts = facts.experts();
        if (experts.presence() != Experts.Presence.EVERY_LAYER) { // a graph that always routes has no dense FFN
            m.ffn(facts.ffn().activation(), facts.ffn().gated(), facts.ffn().bias());
        }
        switch (experts.presence()) {
            case NONE -> m.noExperts();
            case OPTIONAL -> {
                if (spec.sparse()) {
                    m.experts(experts.router(), experts.sigmoidSharedExperts(), facts.ffn().activation(),
                            experts.sameWidthAsFfn());
                }
            }
            case EVERY_LAYER -> m.experts(experts.router(), experts.sigmoidSharedExperts(), facts.ffn().activation(),
                    experts.sameWidthAsFfn());
            case OWN_RULES -> DeepSeek2Keys.expertMisfits(spec, m);
        }
        switch (facts.outputHead()) {
            case EITHER -> { }
            case ALWAYS_TIED -> m.alwaysTied();
            case NEVER_TIED -> {
                if (spec.tiedEmbeddings()) {
                    m.add("tied embeddings", "loads its own output head");
                }
            }
        }
        m.outputBias(facts.outputBias());
        if (facts.softCapped() && spec.finalLogitSoftcap() == 0) {
            m.add("no final logit soft-capping", "always soft-caps them");
        }
        return m.list();
    }

    /**
     * An encoder's choices, in the order bert.cpp builds them: the encoder itself (no masked-LM head), positions,
     * embeddings, post-LN without a final norm, attention, FFN, no experts.
     */
    private static List<String> encoder(FamilyFacts facts, ModelSpec spec, Misfits m) {
        m.encoder();
        if (!spec.encoder()) {
            return m.list(); // the other checks describe an encoder's choices
        }
        PositionMisfits.check(spec, facts.positions(), m);
        m.embeddings(facts.embeddings() == FamilyFacts.Embeddings.LAYER_NORMED,
                facts.embeddings() == FamilyFacts.Embeddings.SCALED_BY_SQRT_DMODEL);
        m.layerNormWithBias();
        m.postNormWithoutFinalNorm();
        m.parallelBlock(facts.parallelBlock());
        m.qkNorm(facts.qkNorm());
        m.plainAttention();
        if (facts.squareAttention()) {
            m.squareAttention();
        }
        m.attentionBiases(facts.qkvBias(), facts.outBias());
        m.ffn(facts.ffn().activation(), facts.ffn().gated(), facts.ffn().bias());
        m.noExperts();
        return m.list();
    }

    /** The attention options: none of the extras, except where a family's graph has its own. */
    private static void attention(ModelFamily family, ModelSpec spec, Misfits m) {
        switch (family) {
            case GEMMA2, GEMMA3 -> GemmaKeys.attentionMisfits(family, spec, m);
            case OLMOE -> {
                if (spec.kvHeads() != spec.heads()) {
                    m.add(spec.attention().variant() + " (" + spec.kvHeads() + " K/V heads for " + spec.heads()
                            + " query heads)", "normalises keys with a dModel-wide attn_k_norm, so keys have as many "
                            + "heads as queries");
                }
                m.plainAttention();
            }
            case LLAMA, QWEN2, QWEN3, QWEN2MOE, QWEN3MOE, DEEPSEEK2, CHATGLM, PHI2, PHI3, GPT2, BLOOM, FALCON, MAMBA,
                 MAMBA2, JAMBA, RWKV6, RWKV7, BERT, NOMIC_BERT -> m.plainAttention(family.facts().scaledQueries());
        }
    }
}
