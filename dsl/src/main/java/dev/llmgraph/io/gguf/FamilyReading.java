package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.plan.Step;

/**
 * The spec a GGUF file of one family describes: its shared sizes ({@link ModelFile}), the family's facts for
 * every choice the keys do not carry, and the keys particular to the family. Its tensors are checked against the
 * spec afterwards ({@link GgufModels}).
 */
final class FamilyReading {
    private FamilyReading() {
    }

    static ModelSpec read(ModelFamily family, ModelFile f) {
        for (FamilyFacts.RefusedTensor refused : family.facts().tensors().refused()) {
            f.refuseTensor(refused.tensor(), refused.feature());
        }
        return switch (family) {
            case GEMMA2, GEMMA3 -> GemmaKeys.read(family, f);
            case DEEPSEEK2 -> DeepSeek2Keys.read(f);
            case MAMBA -> StateSpaceKeys.readMamba(f);
            case MAMBA2 -> StateSpaceKeys.readMamba2(f);
            case JAMBA -> JambaKeys.read(f);
            case RWKV6 -> RwkvKeys.readRwkv6(f);
            case RWKV7 -> RwkvKeys.readRwkv7(f);
            case BERT, NOMIC_BERT -> EncoderKeys.read(family, f);
            case LLAMA, QWEN2, QWEN3, QWEN2MOE, OLMOE, QWEN3MOE, CHATGLM, PHI2, PHI3, GPT2, BLOOM, FALCON ->
                    decoder(family, f);
        };
    }

    /** A softmax-attention decoder: every choice from the facts, biases as the file's tensors show. */
    private static ModelSpec decoder(ModelFamily family, ModelFile f) {
        FamilyFacts facts = family.facts();
        Attention attention = f.attention();
        if (facts.qkNorm() != QkNorm.NONE) {
            attention = attention.withQkNorm(facts.qkNorm());
        }
        if (facts.scaledQueries()) {
            attention = attention.withScaledQueries(true);
        }
        ModelBuilder builder = f.builder()
                .attention(attention)
                .positional(positional(facts.positions(), f))
                .norm(norm(facts.norm(), f), facts.placement())
                .ffn(ffn(facts.ffn(), f))
                .moe(FamilyKeys.experts(family, f));
        if (facts.parallelBlock()) {
            builder.parallelBlock(true);
        }
        switch (facts.embeddings()) {
            case PLAIN -> {
                if (facts.outputBias() != FamilyFacts.Bias.ABSENT && f.hasTensor(Step.Head.BIAS)) {
                    builder.embeddings(Embeddings.untied().withTied(f.tied()).withOutputBias(true));
                } else {
                    builder.tiedEmbeddings(f.tied());
                }
            }
            case LAYER_NORMED -> builder.embeddings(Embeddings.untied().withTied(f.tied()).withLayerNorm(true));
            case SCALED_BY_SQRT_DMODEL -> builder.embeddings(Embeddings.tiedWeights().withScale(Math.sqrt(f.dModel)));
        }
        return builder.build();
    }

    static Positional positional(FamilyFacts.Positions positions, ModelFile f) {
        return switch (positions) {
            case FamilyFacts.Positions.Rope rope -> f.rope(rope.pairing(), rope.frequencyDivisors(),
                    rope.longRopeFactors());
            case FamilyFacts.Positions.Learned _ -> Positional.learned();
            case FamilyFacts.Positions.Alibi alibi -> new Positional.Alibi(alibi.maxBias());
            case FamilyFacts.Positions.FromRecurrence _ -> Positional.none();
        };
    }

    static Norm norm(FamilyFacts.NormKind kind, ModelFile f) {
        return switch (kind) {
            case RMS -> Norm.rms(f.rmsNormEps());
            case LAYER_WITH_BIAS -> Norm.layer(f.layerNormEps());
        };
    }

    /** The FFN of feed_forward_length: biases as the facts require, or as the file's tensors show. */
    static Ffn ffn(FamilyFacts.FfnFacts ffn, ModelFile f) {
        boolean bias = switch (ffn.bias()) {
            case REQUIRED -> true;
            case ABSENT -> false;
            case OPTIONAL -> f.ffnBias(ffn.gated());
        };
        return new Ffn(ffn.activation(), ffn.gated(), f.ffnLength, bias);
    }
}
