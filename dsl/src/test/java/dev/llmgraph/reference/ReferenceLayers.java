package dev.llmgraph.reference;

import dev.llmgraph.spec.ChannelMixer;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.LayerPeriod;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.SequenceMixer;

/**
 * Which sequence mixer and which channel mixer each layer has, decided here from the spec's fields by the published
 * rules, not through {@code ModelSpec.layer} (which the plan and the lowering read), so that a wrong pattern there
 * shows up as a difference:
 * <pre>
 *  mixer    RWKV on every layer; latent attention on every layer; with a hybrid pattern (Jamba's attn_layer_period
 *           and attn_layer_offset) softmax attention where layer % period == offset, the recurrent mixer (Mamba or
 *           linear attention) elsewhere; without one, the recurrent mixer or softmax attention on every layer
 *  channel  RWKV's channel mixing with RWKV; none beside Mamba alone (its block is the mixer); experts on layer i when
 *           i >= first_k_dense_replace (DeepSeek) and i % expert_layer_period == expert_layer_offset (Jamba), the
 *           dense FFN elsewhere
 * </pre>
 */
final class ReferenceLayers {
    private ReferenceLayers() {}

    static SequenceMixer mixer(ModelSpec spec, int layer) {
        if (spec.rwkv() != null) {
            return spec.rwkv();
        }
        if (spec.latent() != null) {
            return spec.latent();
        }
        SequenceMixer recurrent = spec.linear() != null ? spec.linear() : spec.ssm();
        if (recurrent == null) {
            return spec.attention();
        }
        HybridPattern hybrid = spec.hybrid();
        boolean softmax = hybrid != null && layer % hybrid.softmaxEvery() == hybrid.offset();
        return softmax ? spec.attention() : recurrent;
    }

    /** The layer's channel mixer, or null for a Mamba block without attention beside it. */
    static ChannelMixer channel(ModelSpec spec, int layer) {
        if (spec.rwkv() != null) {
            return spec.rwkv().channelMix();
        }
        if (spec.ssm() != null && spec.hybrid() == null) {
            return null;
        }
        Moe moe = spec.moe();
        if (moe == null || layer < moe.denseLayers()) {
            return spec.ffn();
        }
        LayerPeriod period = moe.sparseLayers();
        return layer % period.every() == period.offset() ? moe : spec.ffn();
    }
}
