package dev.llmgraph.reference;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference comparison can fail: for pairs of settings a lowering could confuse (and that use the same
 * weights), the ggml model of one setting is compared with the reference of the other, and the error must be
 * far above the tolerance. Without this, a tolerance could be loose enough to pass a wrong wiring.
 */
class ReferenceSensitivityTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final int TOKENS = 12;

    static Stream<Arguments> swaps() {
        return Stream.of(
                swap("RoPE adjacent pairs vs halves", d -> d.positional = Positional.rope(10_000),
                        d -> d.positional = Positional.rope(10_000).withPairing(RopePairing.HALVES)),
                swap("RoPE whole head vs half", d -> d.positional = Positional.rope(10_000),
                        d -> d.positional = Positional.rope(10_000).withFraction(0.5)),
                swap("RoPE unscaled vs linear x4", d -> d.positional = Positional.rope(10_000),
                        d -> d.positional = Positional.rope(10_000).withScaling(RopeScaling.linear(4))),
                swap("RoPE linear x4 vs NTK-aware x4", d -> d.positional = rope(RopeScaling.linear(4)),
                        d -> d.positional = rope(RopeScaling.ntkAware(4))),
                swap("RoPE YaRN x2 vs linear x2", d -> d.positional = Positional.rope(500).withScaling(RopeScaling.yarn(2, 32)),
                        d -> d.positional = Positional.rope(500).withScaling(RopeScaling.linear(2))),
                swap("ALiBi max bias 8 vs 4", d -> d.positional = Positional.alibi(),
                        d -> d.positional = new Positional.Alibi(4)),
                swap("T5 8 buckets vs max distance 32", d -> d.positional = Positional.t5Bias(8, 16),
                        d -> d.positional = Positional.t5Bias(8, 32)),
                swap("POST vs DEEPNORM", d -> d.placement = NormPlacement.POST, d -> d.placement = NormPlacement.DEEPNORM),
                swap("parallel PRE vs parallel POST", d -> {
                    d.parallel = true;
                    d.placement = NormPlacement.PRE;
                }, d -> {
                    d.parallel = true;
                    d.placement = NormPlacement.POST;
                }),
                swap("RMSNorm vs LayerNorm without bias", d -> d.norm = Norm.rms(1e-5), d -> d.norm = Norm.layer(1e-5, false)),
                swap("GELU (erf) vs GELU (tanh)", d -> d.ffn = Ffn.mlp(48, Activation.GELU),
                        d -> d.ffn = Ffn.mlp(48, Activation.GELU_TANH)),
                swap("SwiGLU vs ReGLU", d -> d.ffn = Ffn.swiglu(48), d -> d.ffn = Ffn.reglu(48)),
                swap("full attention vs window 5", d -> { }, d -> d.attentionExtra = a -> a.withSlidingWindow(5)),
                swap("softmax scale 1/sqrt(headDim) vs 0.5", d -> { }, d -> d.attentionExtra = a -> a.withSoftmaxScale(0.5)),
                swap("no attention softcap vs softcap 2", d -> { }, d -> d.attentionExtra = a -> a.withLogitSoftcap(2)),
                swap("no final softcap vs softcap 3", d -> { }, d -> d.finalSoftcap = 3),
                swap("prefix decoder vs causal", d -> d.kind = ArchitectureKind.PREFIX_DECODER,
                        d -> d.kind = ArchitectureKind.CAUSAL_DECODER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("swaps")
    void aSwappedSettingIsFarOutsideTheTolerance(String label, ModelSpec actualSpec, ModelSpec referenceSpec) {
        int[] tokens = new SplittableRandom(11).ints(TOKENS, 0, actualSpec.vocabSize()).toArray();
        int prefix = actualSpec.kind() == ArchitectureKind.PREFIX_DECODER ? 5 : 0;
        try (Model model = Model.random(actualSpec, WeightInit.lecun(3), CPU)) {
            var same = new ReferenceForward(actualSpec, ReferenceWeights.readFrom(model)).run(tokens, prefix);
            var swapped = new ReferenceForward(referenceSpec, ReferenceWeights.readFrom(model)).run(tokens, prefix);
            var logits = model.forward(tokens, prefix);
            double tolerance = Tolerances.logits(actualSpec);
            assertTrue(Tolerances.relativeError(logits, same.logits()) <= tolerance, "the right reference must pass");
            double error = Tolerances.relativeError(logits, swapped.logits());
            assertTrue(error > 10 * tolerance, label + ": the swapped reference is only " + error
                    + " away, not 10 x the tolerance " + tolerance);
        }
    }

    private static Positional.Rope rope(RopeScaling scaling) {
        return Positional.rope(10_000).withScaling(scaling);
    }

    private static Arguments swap(String label, Consumer<ArchitectureAxes.Draft> actual,
                                  Consumer<ArchitectureAxes.Draft> reference) {
        return Arguments.of(label, draft(actual), draft(reference));
    }

    /** A tiny LLaMA-like spec (RMSNorm, PRE, SwiGLU, MHA, RoPE) with one change. */
    private static ModelSpec draft(Consumer<ArchitectureAxes.Draft> change) {
        ArchitectureAxes.Draft d = new ArchitectureAxes.Draft();
        d.positional = Positional.rope(10_000);
        change.accept(d);
        return d.build("swap");
    }
}
