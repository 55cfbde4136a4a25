package dev.llmgraph.fuzz;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.spec.plan.Plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random builder calls with values at the edges (zero, negatives, the ends of int, NaN, infinities) and
 * values that contradict each other, as a learner's half-finished notebook cell makes them. A spec that
 * builds goes through the plan and the accounting; one small enough (under 200,000 parameters, context up
 * to 64) is also lowered with random weights and run on one token. Every refusal must be an
 * {@link IllegalArgumentException} (an {@code InvalidSpecException} from {@code build()}) with a message.
 */
final class SpecTarget implements FuzzTarget {
    @Override
    public boolean isOwnRefusal(Throwable refusal) {
        return refusal instanceof IllegalArgumentException;
    }

    @Override
    public void run(long seed, int id, Path work, StringBuilder what) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003 + id);
        ArchitectureKind kind = r.nextInt(4) == 0 ? ArchitectureKind.PREFIX_DECODER : ArchitectureKind.CAUSAL_DECODER;
        ModelBuilder b = Transformer.builder("fuzz-" + id, kind).vocabSize(32).dModel(16).layers(1).contextLength(16)
                .attention(Attention.multiHead(2)).ffn(Ffn.swiglu(16));
        int calls = r.nextInt(1, 7);
        for (int i = 0; i < calls; i++) {
            call(b, r, what);
        }
        ModelSpec spec = b.build();
        Plan.of(spec);
        var accounting = spec.accounting();
        long parameters = accounting.parameters().total();
        accounting.flopsPerToken(spec.contextLength());
        accounting.memory(spec.contextLength(), 1, GgmlType.F16, GgmlType.F16);
        if (parameters < 200_000 && spec.contextLength() <= 64) {
            what.append("; lowered");
            try (Model model = Model.random(spec, id)) {
                model.forward(0);
            }
        }
    }

    private static void call(ModelBuilder b, SplittableRandom r, StringBuilder what) {
        int x = small(r), y = small(r), z = small(r);
        double d = EdgeValues.aDouble(r);
        what.append(what.isEmpty() ? "" : "; ");
        switch (r.nextInt(16)) {
            case 0 -> { what.append("vocabSize ").append(x); b.vocabSize(x); }
            case 1 -> { what.append("dModel ").append(x); b.dModel(x); }
            case 2 -> { what.append("layers ").append(x); b.layers(x); }
            case 3 -> { what.append("contextLength ").append(x); b.contextLength(x); }
            case 4 -> { what.append("grouped(").append(x).append(", ").append(y).append(").withHeadDim(").append(z)
                    .append(")"); b.attention(Attention.grouped(x, y).withHeadDim(z)); }
            case 5 -> { what.append("window ").append(x).append(" global every ").append(y);
                b.attention(Attention.multiHead(2).withSlidingWindow(SlidingWindow.withGlobalEvery(x, y))); }
            case 6 -> { what.append("rope(").append(d).append(")");
                b.positional(Positional.rope(d).withFraction(EdgeValues.aDouble(r))); }
            case 7 -> {
                int kind = r.nextInt(3);
                if (kind == 0) {
                    what.append("rope yarn ").append(d).append(", ").append(x);
                    b.positional(Positional.rope(10_000).withScaling(RopeScaling.yarn(d, x)));
                } else if (kind == 1) {
                    List<Double> factors = new ArrayList<>();
                    for (int i = small(r) % 40; i > 0; i--) {
                        factors.add(EdgeValues.aDouble(r));
                    }
                    what.append("rope longrope ").append(factors).append(", ").append(x).append(", ").append(d);
                    b.positional(Positional.rope(10_000).withScaling(new RopeScaling.LongRope(factors,
                            r.nextBoolean() ? factors : null, x, d)));
                } else {
                    double low = EdgeValues.aDouble(r), high = EdgeValues.aDouble(r);
                    what.append("rope llama3 ").append(d).append(", ").append(low).append(", ").append(high)
                            .append(", ").append(x);
                    b.positional(Positional.rope(10_000).withScaling(new RopeScaling.Llama3(d, low, high, x)));
                }
            }
            case 8 -> { what.append("t5Bias(").append(x).append(", ").append(y).append(")");
                b.positional(Positional.t5Bias(x, y)); }
            case 9 -> { what.append("norm eps ").append(d);
                b.norm(r.nextBoolean() ? Norm.rms(d) : Norm.layer(d), NormPlacement.values()[r.nextInt(4)]); }
            case 10 -> { Activation a = Activation.values()[r.nextInt(Activation.values().length)];
                what.append("ffn mlp(").append(x).append(", ").append(a).append(")"); b.ffn(Ffn.mlp(x, a)); }
            case 11 -> { what.append("moe(").append(x).append(", ").append(y).append(", ").append(z).append(")");
                b.moe(Moe.of(x, y, Ffn.swiglu(z)).withShared(r.nextBoolean() ? SharedExperts.none()
                        : SharedExperts.of(small(r), small(r))).withDenseLayers(small(r))); }
            case 12 -> { what.append("latent(").append(x).append(", ").append(y).append(")");
                b.latentAttention(LatentAttention.of(x, y).withHeadDims(small(r), small(r), small(r))); }
            case 13 -> { what.append("mamba inner ").append(x).append(" state ").append(y).append(" conv ").append(z);
                b.ssm(Ssm.mamba(16).withInnerDim(x).withStateDim(y).withConvWidth(z)); }
            case 14 -> { what.append("mamba2 heads ").append(x).append(" groups ").append(y);
                b.ssm(Mamba2.of(16).withHeads(x, y)); }
            default -> { what.append("embeddings scale ").append(d).append(", softcap ").append(-d);
                b.embeddings(new Embeddings(r.nextBoolean(), d, r.nextBoolean())).finalLogitSoftcap(-d); }
        }
    }

    /** Mostly small sizes, so that inconsistent combinations (not only out-of-range ones) come up often. */
    private static int small(SplittableRandom r) {
        return r.nextInt(3) == 0 ? EdgeValues.anInt(r) : r.nextInt(-1, 33);
    }
}
