package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules a spec must follow. Each problem names the field, its value, the rule and a hint; all are
 * collected so that a learner fixes everything in one go. The messages are part of the teaching and are
 * tested word for word.
 */
final class SpecValidator {
    static final String FINAL_SOFTCAP_HINT = "Gemma 2 uses 30";

    private final ModelSpec s;
    private final List<SpecProblem> problems = new ArrayList<>();

    private SpecValidator(ModelSpec spec) {
        this.s = spec;
    }

    static List<SpecProblem> check(ModelSpec spec) {
        SpecValidator v = new SpecValidator(spec);
        v.checkShape();
        if (spec.attention() != null) {
            v.checkAttention(spec.attention());
        }
        if (spec.ffn() != null) {
            v.checkFfn(spec.ffn());
        }
        if (spec.moe() != null) {
            v.checkMoe(spec.moe());
        }
        if (spec.latent() != null) {
            v.problems.addAll(LatentRules.check(spec.latent(), spec));
        }
        if (spec.ssm() != null) {
            v.problems.addAll(SsmRules.check(spec.ssm(), spec));
        }
        if (spec.rwkv() != null) {
            v.problems.addAll(RwkvRules.check(spec.rwkv(), spec));
        }
        if (spec.linear() != null) {
            v.problems.addAll(LinearAttentionRules.check(spec.linear(), spec));
        }
        if (spec.hybrid() != null) {
            v.problems.addAll(LinearAttentionRules.checkHybrid(spec.hybrid(), spec));
        }
        v.checkPositional();
        v.checkNorm();
        v.checkEmbeddings();
        if (spec.kind() != null && spec.embeddings() != null) {
            v.problems.addAll(EncoderRules.check(spec));
        }
        return v.problems;
    }

    private void problem(String field, Object value, String rule, String hint) {
        problems.add(new SpecProblem(field, value, rule, hint));
    }

    private void checkShape() {
        if (s.name() == null || s.name().isBlank()) {
            problem("name", s.name() == null ? "null" : "'" + s.name() + "'", "a spec needs a name",
                    "pass one to Transformer.causalDecoder(\"my-model\")");
        }
        if (s.kind() == null) {
            problem("kind", null, "the architecture kind must be set", "use Transformer.causalDecoder or prefixDecoder");
        } else if (s.kind() == ArchitectureKind.ENCODER_DECODER) {
            problem("kind", s.kind(), "one ModelSpec is one stack; an encoder-decoder is two of them joined by "
                    + "cross-attention", "build it with Transformer.encoderDecoder(...) (an EncoderDecoderSpec)");
        }
        FieldRules.count("vocabSize", s.vocabSize()).ifPresent(problems::add);
        FieldRules.count("dModel", s.dModel()).ifPresent(problems::add);
        FieldRules.layers(s.layers()).ifPresent(problems::add);
        FieldRules.count("contextLength", s.contextLength()).ifPresent(problems::add);
        if (s.attention() == null && !s.recurrent()) {
            problem("attention", null, "attention must be set",
                    "e.g. .attention(Attention.multiHead(8)) or .attention(Attention.grouped(32, 8))");
        }
        if (s.ffn() == null && (s.ssm() == null || s.hybrid() != null) && s.rwkv() == null) {
            problem("ffn", null, "the feed-forward network must be set",
                    "e.g. .ffn(Ffn.swiglu(1376)) or .ffn(Ffn.mlp(2048, Activation.GELU))");
        }
        if (s.parallelBlock() && s.placement() != NormPlacement.PRE && s.placement() != NormPlacement.POST) {
            problem("parallelBlock", true, "a parallel attention+FFN block shares one norm, which works with PRE or "
                    + "POST placement, not " + s.placement(), "use NormPlacement.PRE (GPT-J, Falcon) or turn "
                    + "parallelBlock off");
        }
        FieldRules.softcap("finalLogitSoftcap", s.finalLogitSoftcap(), FINAL_SOFTCAP_HINT).ifPresent(problems::add);
    }

    private void checkAttention(Attention a) {
        FieldRules.count("attention.heads", a.heads()).ifPresent(problems::add);
        if (a.qkNorm() == null) {
            problem("attention.qkNorm", null, "must be a QkNorm", "use QkNorm.NONE, QkNorm.PER_HEAD or "
                    + "QkNorm.WHOLE_WIDTH");
        }
        if (a.kvHeads() < 1) {
            FieldRules.count("attention.kvHeads", a.kvHeads()).ifPresent(problems::add);
        } else if (a.heads() >= 1 && a.heads() % a.kvHeads() != 0) {
            problem("attention.kvHeads", a.kvHeads(), "must divide heads = " + a.heads() + ": each K/V head serves "
                    + "the same number of query heads", "use one of " + divisors(a.heads()));
        }
        if (a.headDim() < 0) {
            problem("attention.headDim", a.headDim(), "must be positive, or 0 for dModel / heads", "");
        } else if (a.headDim() == 0 && a.heads() >= 1 && s.dModel() >= 1 && s.dModel() % a.heads() != 0) {
            problem("attention.headDim", "dModel / heads = " + s.dModel() + " / " + a.heads(),
                    "dModel must be a multiple of heads when headDim is not set",
                    "set .withHeadDim(n) or choose heads among " + divisors(s.dModel()));
        }
        if (a.window() != null) {
            if (a.window().size() < 1) {
                problem("attention.window.size", a.window().size(), "must be at least 1", "Mistral-7B uses 4096");
            }
            if (a.window().globalEvery() < 0) {
                problem("attention.window.globalEvery", a.window().globalEvery(), "must be 0 (every layer slides) or "
                        + "positive (every n-th layer is global)", "Gemma 2 alternates: 2");
            }
        }
        if (a.softmaxScale() < 0 || Double.isNaN(a.softmaxScale())) {
            problem("attention.softmaxScale", a.softmaxScale(), "must be positive, or 0 for 1/sqrt(headDim)", "");
        }
        if (a.logitSoftcap() < 0 || Double.isNaN(a.logitSoftcap())) {
            problem("attention.logitSoftcap", a.logitSoftcap(), "must be 0 (off) or positive", "Gemma 2 uses 50");
        }
    }

    private void checkFfn(Ffn f) {
        if (f.activation() == null) {
            problem("ffn.activation", null, "the FFN needs an activation", "e.g. Activation.GELU");
        }
        if (f.width() < 1) {
            problem("ffn.width", f.width(), "must be at least 1", "4 x dModel is the classic choice, 8/3 x dModel for "
                    + "gated FFNs");
        }
        if (!f.gated() && f.activation() == Activation.IDENTITY) {
            problem("ffn.activation", Activation.IDENTITY, "a plain MLP without an activation is one linear map",
                    "use Ffn.bilinear(width) for the gated form, or pick a non-linearity");
        }
    }

    /** Rules of a mixture of experts, including those a record made with its constructor never met. */
    private void checkMoe(Moe m) {
        FieldRules.count("moe.experts", m.experts()).ifPresent(problems::add);
        FieldRules.count("moe.expertsPerToken", m.expertsPerToken()).ifPresent(problems::add);
        FieldRules.expertsPerToken(m.expertsPerToken(), m.experts()).ifPresent(problems::add);
        if (m.expert() == null) {
            problem("moe.expert", null, "the experts' FFN must be set", "e.g. Moe.of(8, 2, Ffn.swiglu(14336))");
        } else {
            FieldRules.count("moe.expert.width", m.expert().width()).ifPresent(problems::add);
            if (m.expert().bias()) {
                problem("moe.expert.bias", true, "routed experts have no biases here (Mixtral, Qwen-MoE, OLMoE and "
                        + "DeepSeek have none)", "use .withBias(false) on the expert FFN");
            }
            if (!m.expert().gated() && m.expert().activation() == Activation.IDENTITY) {
                problem("moe.expert.activation", Activation.IDENTITY, "a plain MLP without an activation is one "
                        + "linear map", "use Ffn.bilinear(width) for the gated form, or pick a non-linearity");
            }
        }
        if (m.shared() == null) {
            problem("moe.shared", null, "must be set", "SharedExperts.none() is the explicit choice of none");
        } else if (m.shared().count() < 0 || (m.shared().present() && m.shared().width() < 1)) {
            problem("moe.shared", m.shared().count() + " x " + m.shared().width(), "needs a count of 0 or more and, "
                    + "with shared experts, a width of at least 1", "Qwen1.5-MoE-A2.7B: SharedExperts.of(4, 1408)");
        } else if ((long) m.shared().count() * m.shared().width() > Integer.MAX_VALUE) {
            problem("moe.shared", m.shared().count() + " x " + m.shared().width(), "makes "
                    + (long) m.shared().count() * m.shared().width() + " hidden units in one FFN, more than a tensor "
                    + "dimension holds (2147483647)", "Qwen1.5-MoE-A2.7B: SharedExperts.of(4, 1408)");
        } else if (!m.shared().present() && m.shared().sigmoidGate()) {
            problem("moe.shared.sigmoidGate", true, "gates shared experts, and there are none",
                    "add shared experts with SharedExperts.of(count, width), or drop the gate");
        }
        if (m.router() == null || m.router().scoring() == null) {
            problem("moe.router", null, "must be set", "Router.softmaxRenormalised() is Mixtral's");
        } else {
            FieldRules.positive("moe.router.scale", m.router().scale(), "1 is no scaling; DeepSeek-V2 uses 16")
                    .ifPresent(problems::add);
            ExpertGroupRules.check(m, problems);
        }
        if (m.denseLayers() < 0 || (s.layers() >= 1 && m.denseLayers() >= s.layers())) {
            problem("moe.denseLayers", m.denseLayers(), "must be 0 or more and less than layers = " + s.layers()
                    + ", or no layer would route", "DeepSeek-V2 keeps 1 dense layer first; drop .moe(...) for a "
                    + "dense model");
        }
        problems.addAll(SparseLayerRules.check(m, s.layers()));
    }

    private void checkPositional() {
        switch (s.positional()) {
            case null -> problem("positional", null, "must be set", "Positional.none() is the explicit NoPE choice");
            case Positional.Rope rope -> checkRope(rope);
            case Positional.Alibi alibi -> {
                if (!(alibi.maxBias() > 0)) {
                    problem("positional.maxBias", alibi.maxBias(), "ALiBi's maximum bias must be positive",
                            "BLOOM uses 8");
                }
            }
            case Positional.T5Bias t5 -> {
                int minimum = s.kind() == ArchitectureKind.CAUSAL_DECODER ? 2 : 4;
                if (t5.buckets() < minimum) {
                    problem("positional.buckets", t5.buckets(), "must be at least " + minimum, "T5 uses 32");
                }
                if (t5.maxDistance() <= t5.buckets() / 2) {
                    problem("positional.maxDistance", t5.maxDistance(), "must exceed the exact-distance buckets ("
                            + t5.buckets() / 2 + ")", "T5 uses 128");
                }
            }
            case Positional.None n -> { }
            case Positional.Learned l -> { }
            case Positional.Sinusoidal sin -> {
                if (s.dModel() % 2 != 0) {
                    problem("dModel", s.dModel(), "the sinusoidal table pairs sin and cos, so dModel must be even", "");
                }
            }
        }
    }

    private void checkRope(Positional.Rope rope) {
        if (!(rope.theta() >= 1e-30 && rope.theta() <= 1e30)) { // ggml reads a 32-bit float
            problem("positional.theta", rope.theta(), rope.theta() > 0 ? "RoPE's base must be at most 1e30 and at least "
                    + "1e-30, since ggml reads it as a 32-bit float" : "RoPE's base must be positive",
                    "10000 (LLaMA-2), 500000 (LLaMA-3)");
        }
        if (!(rope.fraction() > 0 && rope.fraction() <= 1)) {
            problem("positional.fraction", rope.fraction(), "the rotated share of each head must be in (0, 1]",
                    "1.0 rotates whole heads; ChatGLM2 rotates 0.5");
        } else if (s.attention() != null && s.attention().heads() >= 1 && s.dModel() >= 1) {
            int headDim = s.attention().headDim(s.dModel());
            if (headDim > 0 && rope.rotatedDims(headDim) < 2) {
                problem("positional.fraction", rope.fraction(), "rotates " + rope.rotatedDims(headDim) + " of "
                        + headDim + " head dimensions; RoPE needs at least one pair", "raise the fraction");
            } else if (headDim % 2 != 0 && s.latent() == null
                    && (s.attention().headDim() != 0 || s.dModel() % s.attention().heads() == 0)) {
                // ggml's RoPE steps through each row two by two: the CPU kernel writes one value past an odd row,
                // into the next head, and ggml-cuda's asserts (aborting the process)
                problem("attention.headDim", s.attention().headDim() == 0 ? "dModel / heads = " + s.dModel() + " / "
                        + s.attention().heads() + " = " + headDim : headDim, "must be even with RoPE, which turns "
                        + "each head two dimensions at a time (even where it rotates only part of it)",
                        "choose dModel and heads so that dModel / heads is even, or set an even headDim");
            }
        }
        if (rope.pairing() == null) {
            problem("positional.pairing", null, "must be set", "RopePairing.ADJACENT or HALVES");
        }
        if (rope.slidingTheta() != 0) {
            if (!(rope.slidingTheta() >= 1e-30 && rope.slidingTheta() <= 1e30)) {
                problem("positional.slidingTheta", rope.slidingTheta(), "the sliding layers' RoPE base must be at "
                        + "most 1e30 and at least 1e-30, since ggml reads it as a 32-bit float", "Gemma 3: 10000");
            }
            if (s.attention() == null || s.attention().window() == null) {
                problem("positional.slidingTheta", rope.slidingTheta(), "gives sliding layers their own RoPE base, but "
                        + "no layer slides", "give the attention a SlidingWindow, or leave withSlidingTheta out");
            }
        }
        switch (rope.scaling()) {
            case null -> problem("positional.scaling", null, "must be set", "RopeScaling.none() for plain RoPE");
            case RopeScaling.Linear lin -> requireFactor("positional.scaling.factor", lin.factor());
            case RopeScaling.NtkAware ntk -> requireFactor("positional.scaling.factor", ntk.factor());
            case RopeScaling.Yarn yarn -> {
                requireFactor("positional.scaling.factor", yarn.factor());
                if (yarn.trainedContext() < 1) {
                    problem("positional.scaling.trainedContext", yarn.trainedContext(), "must be at least 1",
                            "the context length the model was trained with");
                }
            }
            case RopeScaling.Llama3 llama3 -> {
                requireFactor("positional.scaling.factor", llama3.factor());
                if (llama3.trainedContext() < 1) {
                    problem("positional.scaling.trainedContext", llama3.trainedContext(), "must be at least 1",
                            "the context length the model was trained with, 8192 in Llama 3.1");
                }
                if (!(llama3.lowFreqFactor() > 0)) {
                    problem("positional.scaling.lowFreqFactor", llama3.lowFreqFactor(), "must be positive: "
                            + "wavelengths above trainedContext / lowFreqFactor are divided by the factor",
                            "1, as in Llama 3.1");
                } else if (!(llama3.highFreqFactor() > llama3.lowFreqFactor())) {
                    problem("positional.scaling.highFreqFactor", llama3.highFreqFactor(), "must be above "
                            + "lowFreqFactor = " + llama3.lowFreqFactor() + ": wavelengths below trainedContext / "
                            + "highFreqFactor keep their frequency, and the two blend in between",
                            "4, as in Llama 3.1");
                }
            }
            case RopeScaling.LongRope longRope -> checkLongRope(rope, longRope);
            case RopeScaling.None none -> { }
        }
    }

    private void checkLongRope(Positional.Rope rope, RopeScaling.LongRope longRope) {
        if (longRope.trainedContext() < 1) {
            problem("positional.scaling.trainedContext", longRope.trainedContext(), "must be at least 1",
                    "the context length the model was trained with, 4096 in Phi-3");
        }
        if (!(longRope.attentionFactor() > 0 && longRope.attentionFactor() <= 1e30)) {
            problem("positional.scaling.attentionFactor", longRope.attentionFactor(), "must be positive and at most "
                    + "1e30: it multiplies cos and sin, and ggml reads it as a 32-bit float",
                    "RopeScaling.longRope(...) computes the paper's sqrt(1 + ln(s) / ln(trainedContext))");
        }
        int pairs = -1;
        if (s.attention() != null && s.attention().heads() >= 1 && s.dModel() >= 1 && rope.fraction() > 0
                && rope.fraction() <= 1) {
            pairs = rope.rotatedDims(s.ropeHeadDim()) / 2;
        }
        checkLongRopeFactors("positional.scaling.shortFactors", longRope.shortFactors(), pairs);
        checkLongRopeFactors("positional.scaling.longFactors", longRope.longFactors(), pairs);
    }

    /** One set of LongRoPE's divisors: one per rotated pair ({@code pairs}; -1 where the shape is not known). */
    private void checkLongRopeFactors(String field, List<Double> factors, int pairs) {
        if (factors == null) {
            problem(field, null, "must be set", "one divisor per rotated pair, as Phi-3's config.json lists them");
            return;
        }
        if (pairs >= 0 && factors.size() != pairs) {
            problem(field, factors.size() + " values", "must hold one divisor per rotated pair, " + pairs,
                    "a head of " + s.ropeHeadDim() + " dimensions rotated over " + 2 * pairs + " has " + pairs
                            + " pairs");
        }
        for (int i = 0; i < factors.size(); i++) {
            Double f = factors.get(i);
            if (f == null || !(f > 0 && f <= 1e30)) {
                problem(field + "[" + i + "]", f, "a pair's divisor must be positive and at most 1e30, since ggml "
                        + "reads it as a 32-bit float", "Phi-3's run from 1 to about 65");
                return;
            }
        }
    }

    private void requireFactor(String field, double factor) {
        if (factor > 1e30 && !Double.isNaN(factor)) {
            problem(field, factor, "a context extension factor must be at most 1e30, since ggml reads its inverse as "
                    + "a 32-bit float", "4 runs 4x the trained context");
        } else if (!(factor >= 1)) {
            problem(field, factor, "a context extension factor must be at least 1", "4 runs 4x the trained context");
        }
    }

    private void checkNorm() {
        if (s.norm() == null) {
            problem("norm", null, "must be set", "Norm.rms(1e-5) or Norm.layer(1e-5)");
        } else if (!(s.norm().eps() > 0)) {
            problem("norm.eps", s.norm().eps(), "must be positive: it keeps the division away from zero",
                    "1e-5 or 1e-6 are usual");
        }
        if (s.placement() == null) {
            problem("placement", null, "must be set", "NormPlacement.PRE is the modern default");
        }
    }

    private void checkEmbeddings() {
        if (s.embeddings() == null) {
            problem("embeddings", null, "must be set", "Embeddings.untied() or Embeddings.tiedWeights()");
        } else if (!(s.embeddings().scale() > 0)) {
            problem("embeddings.scale", s.embeddings().scale(), "must be positive", "1.0 is no scaling; Gemma uses "
                    + "sqrt(dModel)");
        }
    }

    /** The first divisors of {@code n}, found up to its square root so that a prime near 2^31 costs no time. */
    private static String divisors(int n) {
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (int d = 1; (long) d * d <= n; d++) {
            if (n % d == 0) {
                out.add(d);
                out.add(n / d);
            }
        }
        return out.stream().limit(12).toList().toString();
    }
}
