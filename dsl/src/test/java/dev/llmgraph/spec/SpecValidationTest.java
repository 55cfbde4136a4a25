package dev.llmgraph.spec;

import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code build()} and the {@code with...} methods reject broken specs with every problem listed; the
 * messages teach, so they are checked word for word.
 */
class SpecValidationTest {
    /** LongRoPE factors for the 4 pairs of {@link #valid()}'s heads of 8. */
    private static final List<Double> FOUR_FACTORS = List.of(1.0, 1.5, 2.0, 4.0);

    /** A valid tiny spec: RoPE 10 000, RMSNorm 1e-5 before each sublayer (the builder's defaults). */
    static ModelBuilder valid() {
        return Transformer.causalDecoder("ok").vocabSize(64).dModel(32).layers(2).contextLength(64)
                .attention(Attention.multiHead(4)).ffn(Ffn.swiglu(64));
    }

    @Test
    void aValidSpecBuilds() {
        ModelSpec spec = valid().build();
        assertEquals(8, spec.headDim());
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        var e = assertThrows(InvalidSpecException.class, () -> Transformer.causalDecoder("broken")
                .dModel(30).layers(2).contextLength(64)
                .attention(Attention.grouped(4, 3))
                .positional(Positional.rope(-1))
                .norm(Norm.rms(0))
                .ffn(Ffn.mlp(0, Activation.GELU))
                .build());
        assertEquals("""
                spec 'broken' has 6 problems:
                  - vocabSize = 0: must be at least 1; set it with .vocabSize(n), e.g. 32000 for LLaMA's tokenizer
                  - attention.kvHeads = 3: must divide heads = 4: each K/V head serves the same number of query heads; \
                use one of [1, 2, 4]
                  - attention.headDim = dModel / heads = 30 / 4: dModel must be a multiple of heads when headDim is not \
                set; set .withHeadDim(n) or choose heads among [1, 2, 3, 5, 6, 10, 15, 30]
                  - ffn.width = 0: must be at least 1; 4 x dModel is the classic choice, 8/3 x dModel for gated FFNs
                  - positional.theta = -1.0: RoPE's base must be positive; 10000 (LLaMA-2), 500000 (LLaMA-3)
                  - norm.eps = 0.0: must be positive: it keeps the division away from zero; 1e-5 or 1e-6 are usual""",
                e.getMessage());
        assertEquals(6, e.problems().size());
        assertEquals("attention.kvHeads", e.problems().get(1).field());
    }

    @Test
    void anUnnamedSpecIsCalledUnnamed() {
        var e = assertThrows(InvalidSpecException.class, () -> valid().name(null).build());
        assertEquals("spec '(unnamed)' has 1 problem:\n  - name = null: a spec needs a name; pass one to "
                + "Transformer.causalDecoder(\"my-model\")", e.getMessage());
    }

    static Stream<Arguments> singleProblems() {
        return Stream.of(
                problem(b -> b.name("  "), "name = '  ': a spec needs a name; pass one to Transformer.causalDecoder(\"my-model\")"),
                problem(b -> b.kind(null), "kind = null: the architecture kind must be set; use Transformer.causalDecoder or "
                        + "prefixDecoder"),
                problem(b -> b.kind(ArchitectureKind.ENCODER_DECODER), "kind = ENCODER_DECODER: one ModelSpec is one "
                        + "stack; an encoder-decoder is two of them joined by cross-attention; build it with "
                        + "Transformer.encoderDecoder(...) (an EncoderDecoderSpec)"),
                problem(b -> unset("vocabSize"), "vocabSize = 0: must be at least 1; set it with .vocabSize(n), e.g. "
                        + "32000 for LLaMA's tokenizer"),
                problem(b -> unset("dModel").attention(Attention.multiHead(4).withHeadDim(8)), "dModel = 0: must be "
                        + "at least 1; set the residual width with .dModel(n), e.g. 4096 for LLaMA-2-7B"),
                problem(b -> unset("layers"), "layers = 0: must be at least 1; set the number of blocks with .layers(n)"),
                problem(b -> unset("contextLength"), "contextLength = 0: must be at least 1; set the longest sequence "
                        + "with .contextLength(n), e.g. 2048"),
                problem(b -> b.attention(null), "attention = null: attention must be set; e.g. "
                        + ".attention(Attention.multiHead(8)) or .attention(Attention.grouped(32, 8))"),
                problem(b -> b.ffn(null), "ffn = null: the feed-forward network must be set; e.g. .ffn(Ffn.swiglu(1376)) "
                        + "or .ffn(Ffn.mlp(2048, Activation.GELU))"),
                problem(b -> b.parallelBlock(true).placement(NormPlacement.SANDWICH), "parallelBlock = true: a parallel "
                        + "attention+FFN block shares one norm, which works with PRE or POST placement, not SANDWICH; use "
                        + "NormPlacement.PRE (GPT-J, Falcon) or turn parallelBlock off"),
                problem(b -> b.parallelBlock(true).placement(NormPlacement.DEEPNORM), "parallelBlock = true: a parallel "
                        + "attention+FFN block shares one norm, which works with PRE or POST placement, not DEEPNORM; use "
                        + "NormPlacement.PRE (GPT-J, Falcon) or turn parallelBlock off"),
                problem(b -> b.attention(new Attention(0, 1, 8, false, false, null, 0, 0, false, QkNorm.NONE)),
                        "attention.heads = 0: must be at least 1; LLaMA-2-7B has 32 heads"),
                problem(b -> b.attention(new Attention(4, 0, 0, false, false, null, 0, 0, false, QkNorm.NONE)),
                        "attention.kvHeads = 0: must be at least 1; 1 is multi-query attention, heads is multi-head attention"),
                problem(b -> b.attention(new Attention(4, 4, 0, false, false, null, 0, 0, false, null)),
                        "attention.qkNorm = null: must be a QkNorm; use QkNorm.NONE, QkNorm.PER_HEAD or QkNorm.WHOLE_WIDTH"),
                problem(b -> b.positional(Positional.rope(10_000).withSlidingTheta(100)), "positional.slidingTheta = "
                        + "100.0: gives sliding layers their own RoPE base, but no layer slides; give the attention a "
                        + "SlidingWindow, or leave withSlidingTheta out"),
                problem(b -> b.attention(Attention.grouped(12, 5)).dModel(48), "attention.kvHeads = 5: must divide heads = "
                        + "12: each K/V head serves the same number of query heads; use one of [1, 2, 3, 4, 6, 12]"),
                problem(b -> b.attention(Attention.multiHead(4).withHeadDim(-1)), "attention.headDim = -1: must be "
                        + "positive, or 0 for dModel / heads"),
                problem(b -> b.attention(Attention.multiHead(5)), "attention.headDim = dModel / heads = 32 / 5: dModel must "
                        + "be a multiple of heads when headDim is not set; set .withHeadDim(n) or choose heads among "
                        + "[1, 2, 4, 8, 16, 32]"),
                problem(b -> b.attention(Attention.multiHead(4).withSlidingWindow(0)), "attention.window.size = 0: must be "
                        + "at least 1; Mistral-7B uses 4096"),
                problem(b -> b.attention(Attention.multiHead(4).withSlidingWindow(SlidingWindow.withGlobalEvery(8, -1))),
                        "attention.window.globalEvery = -1: must be 0 (every layer slides) or positive (every n-th layer is "
                                + "global); Gemma 2 alternates: 2"),
                problem(b -> b.attention(Attention.multiHead(4).withSoftmaxScale(-0.5)), "attention.softmaxScale = -0.5: "
                        + "must be positive, or 0 for 1/sqrt(headDim)"),
                problem(b -> b.attention(Attention.multiHead(4).withLogitSoftcap(-50)), "attention.logitSoftcap = -50.0: "
                        + "must be 0 (off) or positive; Gemma 2 uses 50"),
                problem(b -> b.ffn(new Ffn(null, true, 64, false)), "ffn.activation = null: the FFN needs an activation; "
                        + "e.g. Activation.GELU"),
                problem(b -> b.ffn(Ffn.swiglu(0)), "ffn.width = 0: must be at least 1; 4 x dModel is the classic choice, "
                        + "8/3 x dModel for gated FFNs"),
                problem(b -> b.ffn(Ffn.mlp(64, Activation.IDENTITY)), "ffn.activation = IDENTITY: a plain MLP without an "
                        + "activation is one linear map; use Ffn.bilinear(width) for the gated form, or pick a non-linearity"),
                problem(b -> b.positional(null), "positional = null: must be set; Positional.none() is the explicit NoPE choice"),
                problem(b -> b.positional(new Positional.Alibi(0)), "positional.maxBias = 0.0: ALiBi's maximum bias must be "
                        + "positive; BLOOM uses 8"),
                problem(b -> b.positional(Positional.t5Bias(1, 16)), "positional.buckets = 1: must be at least 2; T5 uses 32"),
                problem(b -> b.kind(ArchitectureKind.PREFIX_DECODER).positional(Positional.t5Bias(3, 16)),
                        "positional.buckets = 3: must be at least 4; T5 uses 32"),
                problem(b -> b.positional(Positional.t5Bias(8, 4)), "positional.maxDistance = 4: must exceed the "
                        + "exact-distance buckets (4); T5 uses 128"),
                problem(b -> b.positional(Positional.sinusoidal()).dModel(33).attention(Attention.multiHead(3)),
                        "dModel = 33: the sinusoidal table pairs sin and cos, so dModel must be even"),
                problem(b -> b.positional(Positional.rope(0)), "positional.theta = 0.0: RoPE's base must be positive; "
                        + "10000 (LLaMA-2), 500000 (LLaMA-3)"),
                problem(b -> b.positional(Positional.rope(10_000).withFraction(1.5)), "positional.fraction = 1.5: the "
                        + "rotated share of each head must be in (0, 1]; 1.0 rotates whole heads; ChatGLM2 rotates 0.5"),
                problem(b -> b.positional(Positional.rope(10_000).withFraction(0.2)), "positional.fraction = 0.2: rotates 0 "
                        + "of 8 head dimensions; RoPE needs at least one pair; raise the fraction"),
                problem(b -> b.positional(Positional.rope(10_000)).dModel(36).attention(Attention.multiHead(4)),
                        "attention.headDim = dModel / heads = 36 / 4 = 9: must be even with RoPE, which turns each head "
                                + "two dimensions at a time (even where it rotates only part of it); choose dModel and "
                                + "heads so that dModel / heads is even, or set an even headDim"),
                problem(b -> b.positional(Positional.rope(10_000).withFraction(0.5))
                                .attention(Attention.multiHead(4).withHeadDim(9)),
                        "attention.headDim = 9: must be even with RoPE, which turns each head two dimensions at a time "
                                + "(even where it rotates only part of it); choose dModel and heads so that dModel / "
                                + "heads is even, or set an even headDim"),
                problem(b -> b.positional(Positional.rope(10_000).withPairing(null)), "positional.pairing = null: must be "
                        + "set; RopePairing.ADJACENT or HALVES"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(null)), "positional.scaling = null: must be "
                        + "set; RopeScaling.none() for plain RoPE"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.linear(0.5))),
                        "positional.scaling.factor = 0.5: a context extension factor must be at least 1; 4 runs 4x the "
                                + "trained context"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.ntkAware(Double.NaN))),
                        "positional.scaling.factor = NaN: a context extension factor must be at least 1; 4 runs 4x the "
                                + "trained context"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.yarn(4, 0))),
                        "positional.scaling.trainedContext = 0: must be at least 1; the context length the model was "
                                + "trained with"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.llama3(0.5, 8192))),
                        "positional.scaling.factor = 0.5: a context extension factor must be at least 1; 4 runs 4x the "
                                + "trained context"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.llama3(8, 0))),
                        "positional.scaling.trainedContext = 0: must be at least 1; the context length the model was "
                                + "trained with, 8192 in Llama 3.1"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(new RopeScaling.Llama3(8, 0, 4, 8192))),
                        "positional.scaling.lowFreqFactor = 0.0: must be positive: wavelengths above trainedContext / "
                                + "lowFreqFactor are divided by the factor; 1, as in Llama 3.1"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(new RopeScaling.Llama3(8, 4, 1, 8192))),
                        "positional.scaling.highFreqFactor = 1.0: must be above lowFreqFactor = 4.0: wavelengths below "
                                + "trainedContext / highFreqFactor keep their frequency, and the two blend in between; 4, "
                                + "as in Llama 3.1"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.longRope(List.of(1.0, 1.0),
                                FOUR_FACTORS, 16, 64))),
                        "positional.scaling.shortFactors = 2 values: must hold one divisor per rotated pair, 4; a head "
                                + "of 8 dimensions rotated over 8 has 4 pairs"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(RopeScaling.longRope(FOUR_FACTORS,
                                List.of(1.0, 0.0, 2.0, 4.0), 16, 64))),
                        "positional.scaling.longFactors[1] = 0.0: a pair's divisor must be positive and at most 1e30, "
                                + "since ggml reads it as a 32-bit float; Phi-3's run from 1 to about 65"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(new RopeScaling.LongRope(null,
                                FOUR_FACTORS, 16, 1))),
                        "positional.scaling.shortFactors = null: must be set; one divisor per rotated pair, as Phi-3's "
                                + "config.json lists them"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(new RopeScaling.LongRope(FOUR_FACTORS,
                                FOUR_FACTORS, 0, 1))),
                        "positional.scaling.trainedContext = 0: must be at least 1; the context length the model was "
                                + "trained with, 4096 in Phi-3"),
                problem(b -> b.positional(Positional.rope(10_000).withScaling(new RopeScaling.LongRope(FOUR_FACTORS,
                                FOUR_FACTORS, 16, 0))),
                        "positional.scaling.attentionFactor = 0.0: must be positive and at most 1e30: it multiplies "
                                + "cos and sin, and ggml reads it as a 32-bit float; RopeScaling.longRope(...) computes "
                                + "the paper's sqrt(1 + ln(s) / ln(trainedContext))"),
                problem(b -> b.norm(null), "norm = null: must be set; Norm.rms(1e-5) or Norm.layer(1e-5)"),
                problem(b -> b.norm(Norm.layer(-1e-5)), "norm.eps = -1.0E-5: must be positive: it keeps the division away "
                        + "from zero; 1e-5 or 1e-6 are usual"),
                problem(b -> b.placement(null), "placement = null: must be set; NormPlacement.PRE is the modern default"),
                problem(b -> b.embeddings(null), "embeddings = null: must be set; Embeddings.untied() or "
                        + "Embeddings.tiedWeights()"),
                problem(b -> b.embeddings(Embeddings.untied().withScale(0)), "embeddings.scale = 0.0: must be positive; "
                        + "1.0 is no scaling; Gemma uses sqrt(dModel)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleProblems")
    void eachRuleHasItsMessage(String expectedProblem, UnaryOperator<ModelBuilder> breakIt) {
        var e = assertThrows(InvalidSpecException.class, () -> breakIt.apply(valid()).build());
        String name = e.getMessage().substring(6, e.getMessage().indexOf("' has"));
        assertEquals("spec '" + name + "' has 1 problem:\n  - " + expectedProblem, e.getMessage());
    }

    static Stream<Arguments> refusedArguments() {
        return Stream.of(
                refused(() -> valid().vocabSize(-5), "vocabSize = -5: must be at least 1; set it with .vocabSize(n), e.g. "
                        + "32000 for LLaMA's tokenizer"),
                refused(() -> valid().dModel(0), "dModel = 0: must be at least 1; set the residual width with .dModel(n), "
                        + "e.g. 4096 for LLaMA-2-7B"),
                refused(() -> valid().layers(-2), "layers = -2: must be at least 1; set the number of blocks with .layers(n)"),
                refused(() -> valid().contextLength(0), "contextLength = 0: must be at least 1; set the longest sequence "
                        + "with .contextLength(n), e.g. 2048"),
                refused(() -> valid().finalLogitSoftcap(-1), "finalLogitSoftcap = -1.0: must be 0 (off) or positive; "
                        + "Gemma 2 uses 30"),
                refused(() -> valid().finalLogitSoftcap(Double.NaN), "finalLogitSoftcap = NaN: must be 0 (off) or "
                        + "positive; Gemma 2 uses 30"),
                refused(() -> Attention.multiHead(0), "attention.heads = 0: must be at least 1; LLaMA-2-7B has 32 heads"),
                refused(() -> Attention.grouped(4, 0), "attention.kvHeads = 0: must be at least 1; 1 is multi-query "
                        + "attention, heads is multi-head attention"),
                refused(() -> Attention.multiQuery(-1), "attention.heads = -1: must be at least 1; LLaMA-2-7B has 32 heads"),
                refused(() -> Attention.multiHead(4).withHeads(4, 0), "attention.kvHeads = 0: must be at least 1; 1 is "
                        + "multi-query attention, heads is multi-head attention"),
                refused(() -> Attention.multiHead(4).withQkNorm((QkNorm) null), "attention.qkNorm = null: must be a "
                        + "QkNorm; use QkNorm.NONE, QkNorm.PER_HEAD or QkNorm.WHOLE_WIDTH"));
    }

    /** A setter or factory refuses its own bad argument at once, before build(), quoting it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedArguments")
    void settersRefuseTheirOwnBadArgumentAtOnce(String expected, org.junit.jupiter.api.function.Executable call) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }

    /** A builder like {@link #valid()} whose {@code field} was never set. */
    private static ModelBuilder unset(String field) {
        ModelBuilder b = Transformer.causalDecoder("ok").attention(Attention.multiHead(4)).ffn(Ffn.swiglu(64));
        if (!field.equals("vocabSize")) {
            b.vocabSize(64);
        }
        if (!field.equals("dModel")) {
            b.dModel(32);
        }
        if (!field.equals("layers")) {
            b.layers(2);
        }
        if (!field.equals("contextLength")) {
            b.contextLength(64);
        }
        return b;
    }

    private static Arguments refused(org.junit.jupiter.api.function.Executable call, String expected) {
        return Arguments.of(expected, call);
    }

    @Test
    void withMethodsValidateAgain() {
        ModelSpec llama = Presets.llama2_7b();
        var heads = assertThrows(InvalidSpecException.class, () -> llama.withAttention(Attention.grouped(32, 3)));
        assertEquals("spec 'llama-2-7b' has 1 problem:\n  - attention.kvHeads = 3: must divide heads = 32: each K/V head "
                + "serves the same number of query heads; use one of [1, 2, 4, 8, 16, 32]", heads.getMessage());
        var width = assertThrows(InvalidSpecException.class, () -> llama.withDModel(4100));
        assertEquals("spec 'llama-2-7b' has 1 problem:\n  - attention.headDim = dModel / heads = 4100 / 32: dModel must be "
                + "a multiple of heads when headDim is not set; set .withHeadDim(n) or choose heads among "
                + "[1, 2, 4, 5, 10, 20, 25, 41, 50, 82, 100, 164]", width.getMessage());
        var parallel = assertThrows(InvalidSpecException.class, () -> llama.withPlacement(NormPlacement.SANDWICH)
                .withParallelBlock(true));
        assertEquals("parallelBlock", parallel.problems().getFirst().field());
        var encoder = assertThrows(InvalidSpecException.class, () -> llama.withKind(ArchitectureKind.ENCODER_DECODER));
        assertEquals("kind", encoder.problems().getFirst().field());

        ModelSpec gqa = llama.withAttention(Attention.grouped(32, 8));
        assertEquals(8, gqa.kvHeads());
        assertEquals(32, llama.kvHeads(), "the original spec is unchanged");
    }

    private static Arguments problem(UnaryOperator<ModelBuilder> breakIt, String expected) {
        return Arguments.of(expected, breakIt);
    }
}
