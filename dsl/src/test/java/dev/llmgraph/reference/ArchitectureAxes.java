package dev.llmgraph.reference;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.Transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The architecture axes the reference tests sample, each value a change to a tiny draft spec (2 layers,
 * dModel 32, vocabulary 64; the sequence mixers of {@link SequenceMixerAxis} widen or deepen it where their kernels
 * or patterns need it). A row of value indices, one per axis, is one architecture; an axis that one of the row's
 * values leaves without effect ({@link AxisRule.Drops}) is {@link CoveringSample#DROPPED} in it.
 */
final class ArchitectureAxes {
    private ArchitectureAxes() {}

    /** One value of an axis: its label (in test names), what it does to the draft, and what it cannot meet. */
    record Choice(String label, Consumer<Draft> apply, List<AxisRule> rules) {}

    record Axis(String name, List<Choice> choices) {}

    static final int FFN_WIDTH = 48;

    /** The spec under construction; fields start at the simplest value of each axis. */
    static final class Draft {
        ArchitectureKind kind = ArchitectureKind.CAUSAL_DECODER;
        int dModel = 32;
        int layers = 2;
        StateSpace ssm;
        Rwkv rwkv;
        LinearAttention linear;
        HybridPattern hybrid;
        /** Jamba routes every other layer (expert_layer_period 2, offset 1) when the ffn axis gives experts. */
        boolean expertsEveryOtherLayer;
        Norm norm = Norm.rms(1e-5);
        NormPlacement placement = NormPlacement.PRE;
        boolean parallel;
        Ffn ffn = Ffn.swiglu(FFN_WIDTH);
        Moe moe;
        Positional positional = Positional.none();
        Attention attention = Attention.multiHead(4);
        UnaryOperator<Attention> attentionExtra = a -> a;
        boolean flash;
        Embeddings embeddings = Embeddings.untied();
        boolean finalNorm = true;
        double finalSoftcap;

        ModelSpec build(String name) {
            ModelBuilder b = Transformer.builder(name, kind)
                    .vocabSize(64).dModel(dModel).layers(layers).contextLength(64)
                    .attention(attentionExtra.apply(attention).withFlash(flash))
                    .positional(positional)
                    .norm(norm, placement).parallelBlock(parallel)
                    .ffn(ffn).moe(moe != null && expertsEveryOtherLayer ? moe.withSparseEvery(2, 1) : moe)
                    .ssm(ssm).rwkv(rwkv).linearAttention(linear).hybrid(hybrid)
                    .embeddings(embeddings)
                    .finalNorm(finalNorm).finalLogitSoftcap(finalSoftcap);
            return b.build();
        }
    }

    static final List<Axis> AXES = List.of(
            axis("norm",
                    choice("LayerNorm", d -> d.norm = Norm.layer(1e-5)),
                    choice("LayerNorm-nobias", d -> d.norm = Norm.layer(1e-5, false)),
                    choice("RMSNorm", d -> d.norm = Norm.rms(1e-6)),
                    choice("SimpleRMSNorm", d -> d.norm = Norm.simpleRms(1e-5))),
            axis("block",
                    choice("PRE", d -> d.placement = NormPlacement.PRE),
                    choice("POST", d -> d.placement = NormPlacement.POST),
                    choice("SANDWICH", d -> d.placement = NormPlacement.SANDWICH),
                    choice("DEEPNORM", d -> d.placement = NormPlacement.DEEPNORM),
                    choice("parallel-PRE", d -> {
                        d.placement = NormPlacement.PRE;
                        d.parallel = true;
                    }),
                    choice("parallel-POST", d -> {
                        d.placement = NormPlacement.POST;
                        d.parallel = true;
                    })),
            axis("ffn",
                    choice("MLP-ReLU", d -> d.ffn = Ffn.mlp(FFN_WIDTH, Activation.RELU)),
                    choice("MLP-GELU", d -> d.ffn = Ffn.mlp(FFN_WIDTH, Activation.GELU)),
                    choice("MLP-GELU_TANH-nobias", d -> d.ffn = Ffn.mlp(FFN_WIDTH, Activation.GELU_TANH).withBias(false)),
                    choice("MLP-SiLU", d -> d.ffn = Ffn.mlp(FFN_WIDTH, Activation.SILU)),
                    choice("SwiGLU", d -> d.ffn = Ffn.swiglu(FFN_WIDTH)),
                    choice("SwiGLU-bias", d -> d.ffn = Ffn.swiglu(FFN_WIDTH).withBias(true)),
                    choice("GeGLU-tanh", d -> d.ffn = Ffn.geglu(FFN_WIDTH)),
                    choice("GeGLU-erf", d -> d.ffn = Ffn.geglu(FFN_WIDTH).withActivation(Activation.GELU)),
                    choice("ReGLU", d -> d.ffn = Ffn.reglu(FFN_WIDTH)),
                    choice("bilinear", d -> d.ffn = Ffn.bilinear(FFN_WIDTH)),
                    choice("MoE-4-top2-renormalised", d -> d.moe = Moe.of(4, 2, Ffn.swiglu(32))),
                    choice("MoE-sigmoid-scaled-shared-gated-dense-first", d -> d.moe = Moe.of(4, 2, Ffn.geglu(32))
                            .withRouter(new Router(Router.Scoring.SIGMOID, false, 2.0))
                            .withShared(SharedExperts.of(1, 32).withSigmoidGate(true)).withDenseLayers(1)),
                    choice("MoE-top1-then-softmax-MLP", d -> d.moe = Moe.of(4, 1, Ffn.mlp(32, Activation.GELU)
                            .withBias(false)).withRouter(new Router(Router.Scoring.TOP_K_SOFTMAX, false, 1.0)))),
            axis("pos",
                    choice("NoPE", d -> d.positional = Positional.none()),
                    choice("learned", d -> d.positional = Positional.learned()),
                    choice("sinusoidal", d -> d.positional = Positional.sinusoidal()),
                    choice("RoPE-adjacent", d -> d.positional = Positional.rope(10_000)),
                    choice("RoPE-halves", d -> d.positional = Positional.rope(10_000).withPairing(RopePairing.HALVES)),
                    choice("RoPE-partial0.5", d -> d.positional = Positional.rope(10_000).withFraction(0.5)),
                    choice("RoPE-linear4", d -> d.positional = Positional.rope(10_000).withPairing(RopePairing.HALVES)
                            .withScaling(RopeScaling.linear(4))),
                    choice("RoPE-ntk4", d -> d.positional = Positional.rope(10_000).withScaling(RopeScaling.ntkAware(4))),
                    // theta 500 and a trained context of 32 put YaRN's ramp across pairs 0..2 of a head of 8:
                    // one pair extrapolates, one blends, two interpolate
                    choice("RoPE-yarn2", d -> d.positional = Positional.rope(500).withScaling(RopeScaling.yarn(2, 32))),
                    // theta 500 and a trained context of 64 put Llama 3's ramp across a head of 8: pair 0 kept, pair 1
                    // blended, pairs 2 and 3 divided by 4
                    choice("RoPE-llama3x4", d -> d.positional = Positional.rope(500)
                            .withScaling(RopeScaling.llama3(4, 64))),
                    // trained on 16 positions, run on 64: the long factors, cos and sin times sqrt(1 + ln 4 / ln 16)
                    choice("RoPE-longrope", d -> d.positional = Positional.rope(500)
                            .withScaling(RopeScaling.longRope(List.of(1.0, 1.2, 1.5, 2.0), List.of(1.0, 2.0, 5.0, 12.0),
                                    16, 64))),
                    choice("ALiBi", d -> d.positional = Positional.alibi()),
                    choice("T5", d -> d.positional = Positional.t5Bias(8, 16))),
            axis("attn",
                    choice("MHA4", d -> d.attention = Attention.multiHead(4)),
                    choice("GQA4/2", d -> d.attention = Attention.grouped(4, 2)),
                    choice("MQA4", d -> d.attention = Attention.multiQuery(4)),
                    choice("GQA6/2-hd8", d -> d.attention = Attention.grouped(6, 2).withHeadDim(8))),
            axis("extra",
                    choice("plain", d -> d.attentionExtra = a -> a),
                    choice("bias", d -> d.attentionExtra = a -> a.withBias(true)),
                    choice("qkv-bias", d -> d.attentionExtra = a -> a.withBias(true, false)),
                    choice("window5", d -> d.attentionExtra = a -> a.withSlidingWindow(5)),
                    choice("window5-alternating", d -> d.attentionExtra = a -> a.withSlidingWindow(
                            SlidingWindow.withGlobalEvery(5, 2))),
                    choice("softcap2", d -> d.attentionExtra = a -> a.withLogitSoftcap(2)),
                    choice("scale0.5", d -> d.attentionExtra = a -> a.withSoftmaxScale(0.5)),
                    choice("qk-norm", d -> d.attentionExtra = a -> a.withQkNorm(true)),
                    choice("qk-norm-whole", d -> d.attentionExtra = a -> a.withQkNorm(QkNorm.WHOLE_WIDTH))),
            axis("family",
                    choice("causal", d -> d.kind = ArchitectureKind.CAUSAL_DECODER),
                    choice("prefix", d -> d.kind = ArchitectureKind.PREFIX_DECODER)),
            axis("flash",
                    choice("off", d -> d.flash = false),
                    choice("on", d -> d.flash = true)),
            axis("embd",
                    choice("untied", d -> d.embeddings = Embeddings.untied()),
                    choice("tied", d -> d.embeddings = Embeddings.tiedWeights()),
                    choice("scaled2", d -> d.embeddings = Embeddings.untied().withScale(2)),
                    choice("tied-norm", d -> d.embeddings = Embeddings.tiedWeights().withLayerNorm(true))),
            axis("head",
                    choice("final-norm", d -> d.finalNorm = true),
                    choice("no-final-norm", d -> d.finalNorm = false),
                    choice("softcap3", d -> d.finalSoftcap = 3)),
            SequenceMixerAxis.AXIS);

    /** The rules of every value, as the covering sample reads them. */
    static final CoveringSample.Constraints CONSTRAINTS = new CoveringSample.Constraints() {
        @Override
        public boolean compatible(int a, int va, int b, int vb) {
            String other = AXES.get(b).choices().get(vb).label();
            return AXES.get(a).choices().get(va).rules().stream().noneMatch(rule -> rule instanceof AxisRule.Only only
                    && only.axis().equals(AXES.get(b).name()) && !only.labels().contains(other));
        }

        @Override
        public boolean drops(int a, int va, int b) {
            return AXES.get(a).choices().get(va).rules().stream().anyMatch(rule -> rule instanceof AxisRule.Drops drops
                    && drops.axes().contains(AXES.get(b).name()));
        }
    };

    /** Each axis's size, for {@link CoveringSample}. */
    static int[] sizes() {
        return AXES.stream().mapToInt(a -> a.choices().size()).toArray();
    }

    /** "norm=RMSNorm block=PRE ..." for a row; dropped axes are left out. */
    static String label(int[] row) {
        List<String> parts = new ArrayList<>();
        for (int a = 0; a < AXES.size(); a++) {
            if (row[a] == CoveringSample.DROPPED) {
                continue;
            }
            parts.add(AXES.get(a).name() + "=" + AXES.get(a).choices().get(row[a]).label());
        }
        return String.join(" ", parts);
    }

    static ModelSpec spec(int[] row) {
        Draft d = new Draft();
        for (int a = 0; a < AXES.size(); a++) {
            if (row[a] != CoveringSample.DROPPED) {
                AXES.get(a).choices().get(row[a]).apply().accept(d);
            }
        }
        return d.build("case");
    }

    /** Whether a row uses the value labelled {@code label} on axis {@code axis}. */
    static boolean uses(int[] row, String axis, String label) {
        for (int a = 0; a < AXES.size(); a++) {
            if (AXES.get(a).name().equals(axis)) {
                return row[a] != CoveringSample.DROPPED && AXES.get(a).choices().get(row[a]).label().equals(label);
            }
        }
        throw new IllegalArgumentException("no axis " + axis);
    }

    private static Axis axis(String name, Choice... choices) {
        return new Axis(name, List.of(choices));
    }

    static Choice choice(String label, Consumer<Draft> apply, AxisRule... rules) {
        return new Choice(label, apply, List.of(rules));
    }
}
