package dev.llmgraph.presets;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;

import java.util.ArrayList;
import java.util.List;

/** A preset's architecture at test size ({@link Presets#tiny}): every choice kept, the sizes made small. */
final class TestSize {
    private static final int CONTEXT = 128;
    private static final int HEAD = 8;

    private TestSize() {}

    /** {@link Presets#tiny}. */
    static ModelSpec of(ModelSpec full) {
        if (full.recurrent()) {
            return StateSpacePresets.tiny(full);
        }
        Attention a = full.attention();
        int kvHeads = a.kvHeads() == a.heads() ? 4 : a.kvHeads() == 1 ? 1 : 2;
        double ratio = (double) full.ffnDim() / full.dModel();
        int ffn = Math.max(8, (int) Math.round(ratio * 32 / 8) * 8);
        Moe moe = full.moe() == null ? null : MoePresets.tiny(full.moe());
        if (moe != null && full.ffnDim() == full.moe().expert().width()) {
            ffn = moe.expert().width(); // experts that are the FFN (Mixtral, OLMoE) stay so
        }
        Attention tinyAttention = a.withHeads(4, kvHeads).withHeadDim(HEAD);
        if (a.window() != null) {
            tinyAttention = tinyAttention.withSlidingWindow(new SlidingWindow(16, a.window().globalEvery()));
        }
        var embeddings = full.embeddings();
        if ((float) embeddings.scale() == (float) Math.sqrt(full.dModel())) {     // Gemma's sqrt(dModel) stays so
            embeddings = embeddings.withScale(Math.sqrt(32));
        }
        return full.toBuilder()
                .name("tiny-" + full.name())
                .vocabSize(256).dModel(32).layers(2).contextLength(CONTEXT)
                .embeddings(embeddings)
                .attention(tinyAttention)
                .ffn(full.ffn().withWidth(ffn))
                .positional(full.rope() == null ? full.positional() : tiny(full.rope(), full.contextLength()))
                .latentAttention(full.latent() == null ? null : MoePresets.tiny(full.latent()))
                .moe(moe)
                .build();
    }

    /**
     * RoPE at test size: LongRoPE's factors sampled evenly, first and last kept, down to the pairs of a head of 8,
     * and its trained context shrunk by the full model's ratio, so that the tiny model too runs beyond it with the
     * long factors. An attention factor that is the paper's for the full model's contexts becomes the paper's for the
     * tiny one's, as config.json's readers (and llama.cpp's converter, which derives it) read those contexts.
     */
    private static Positional.Rope tiny(Positional.Rope full, int fullContext) {
        // a share that states the head of 8's rotated count exactly (Phi-2's 0.4 floors to 3, rotated as 2: 0.25), as
        // Hugging Face rotates int(share * head) dimensions
        Positional.Rope rope = full.withFraction(full.rotatedDims(HEAD) / (double) HEAD);
        return switch (rope.scaling()) {
            case RopeScaling.LongRope longRope -> rope.withScaling(tiny(longRope, rope.rotatedDims(HEAD) / 2,
                    fullContext));
            case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Yarn _,
                 RopeScaling.Llama3 _ -> rope;
        };
    }

    private static RopeScaling.LongRope tiny(RopeScaling.LongRope longRope, int pairs, int fullContext) {
        int trained = Math.max(1, (int) ((long) longRope.trainedContext() * CONTEXT / fullContext));
        List<Double> shortFactors = sample(longRope.shortFactors(), pairs);
        List<Double> longFactors = sample(longRope.longFactors(), pairs);
        return longRope.hasPaperAttentionFactor(fullContext)
                ? RopeScaling.longRope(shortFactors, longFactors, trained, CONTEXT)
                : new RopeScaling.LongRope(shortFactors, longFactors, trained, longRope.attentionFactor());
    }

    private static List<Double> sample(List<Double> factors, int count) {
        List<Double> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(factors.get(count == 1 ? 0 : (int) Math.round((double) i * (factors.size() - 1) / (count - 1))));
        }
        return out;
    }
}
