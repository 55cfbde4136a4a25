package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;

/**
 * The keys particular to one family, each named {@code <arch>.<suffix>} (the keys all families share are
 * {@link GgufExport}'s and {@link ModelFile}'s), and the experts they describe. Mixtral-style llama files and
 * olmoe files count their experts; qwen3moe files also give the experts' width, qwen2moe files the experts' and the
 * shared experts' widths: llmgraph writes {@code expert_shared_count} too (a key llama.cpp knows) so that a count of
 * shared experts reads back.
 */
final class FamilyKeys {
    private FamilyKeys() {
    }

    static void write(ModelFamily family, ModelSpec spec, GgufWriter out) {
        String a = family.llamaCpp() + ".";
        switch (family) {
            case LLAMA, OLMOE -> {
                if (spec.sparse()) {
                    out.putUint32(a + "expert_count", spec.moe().experts());
                    out.putUint32(a + "expert_used_count", spec.moe().expertsPerToken());
                }
            }
            case QWEN2MOE, QWEN3MOE -> {
                Moe moe = spec.moe();
                out.putUint32(a + "expert_count", moe.experts());
                out.putUint32(a + "expert_used_count", moe.expertsPerToken());
                out.putUint32(a + "expert_feed_forward_length", moe.expert().width());
                if (family == ModelFamily.QWEN2MOE) {
                    out.putUint32(a + "expert_shared_feed_forward_length", moe.shared().totalWidth());
                    out.putUint32(a + "expert_shared_count", moe.shared().count());
                }
            }
            case DEEPSEEK2 -> DeepSeek2Keys.write(spec, out);
            case GEMMA2, GEMMA3 -> GemmaKeys.write(family, spec, out);
            case MAMBA, MAMBA2 -> StateSpaceKeys.write(family.llamaCpp(), spec, out);
            case JAMBA -> JambaKeys.write(spec, out);
            case RWKV6, RWKV7 -> RwkvKeys.write(family.llamaCpp(), spec, out);
            case BERT, NOMIC_BERT -> EncoderKeys.write(family.llamaCpp(), spec, out);
            case QWEN2, QWEN3, CHATGLM, PHI2, PHI3, GPT2, BLOOM, FALCON -> { }
        }
    }

    /** The experts a file of a dense-or-routed family describes (null for dense), from its keys. */
    static Moe experts(ModelFamily family, ModelFile f) {
        return switch (family) {
            case LLAMA -> f.expertCount == 0 ? null
                    : f.experts(Ffn.swiglu(f.ffnLength), Router.softmaxRenormalised(), SharedExperts.none());
            case OLMOE -> f.experts(Ffn.swiglu(f.ffnLength), Router.softmax(), SharedExperts.none());
            case QWEN2MOE -> qwen2MoeExperts(f);
            case QWEN3MOE -> f.experts(Ffn.swiglu(expertWidth(f)), Router.softmaxRenormalised(), SharedExperts.none());
            case QWEN2, QWEN3, DEEPSEEK2, GEMMA2, GEMMA3, CHATGLM, PHI2, PHI3, GPT2, BLOOM, FALCON, MAMBA, MAMBA2,
                 JAMBA, RWKV6, RWKV7, BERT, NOMIC_BERT -> null; // jamba's experts show per layer (JambaKeys)
        };
    }

    /** expert_feed_forward_length, or llama.cpp's default when it is not given: n_ff / k. */
    private static int expertWidth(ModelFile f) {
        return f.keys.intOr("expert_feed_forward_length", f.ffnLength / Math.max(1, f.keys.intOr("expert_used_count",
                1)));
    }

    private static Moe qwen2MoeExperts(ModelFile f) {
        // llama.cpp's default shared width when it is not given: n_ff.
        int expertWidth = expertWidth(f);
        int sharedWidth = f.keys.intOr("expert_shared_feed_forward_length", f.ffnLength);
        // qwen2moe's graph does not read the count: llama.cpp's own writer stores 0 there, which means one.
        int sharedCount = Math.max(1, f.keys.intOr("expert_shared_count", 1));
        if (sharedWidth % sharedCount != 0) {
            throw f.keys.problem("key '" + f.keys.key("expert_shared_count") + "' = " + sharedCount + " must divide '"
                    + f.keys.key("expert_shared_feed_forward_length") + "' = " + sharedWidth);
        }
        SharedExperts shared = new SharedExperts(sharedCount, sharedWidth / sharedCount, true);
        return f.experts(Ffn.swiglu(expertWidth), Router.softmax(), shared);
    }
}
