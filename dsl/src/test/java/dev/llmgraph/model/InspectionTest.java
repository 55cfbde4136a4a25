package dev.llmgraph.model;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.reference.ReferenceForward;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.ShapeTrace;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.spec.WeightLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Every node the shape trace names can be read back from a model with the shape the trace states, and the
 * values of a few nodes agree with the reference and with what attention weights must be.
 */
class InspectionTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final int TOKENS = 9;

    static Stream<Arguments> specs() {
        Stream<ModelSpec> presets = Presets.all().keySet().stream().map(name -> Presets.byName("tiny-" + name));
        Stream<ModelSpec> others = Stream.of(
                small("sandwich-flash-sinusoidal").norm(Norm.rms(1e-5), NormPlacement.SANDWICH)
                        .attention(Attention.grouped(4, 2).withFlash(true)).positional(Positional.sinusoidal()).build(),
                small("parallel-post-t5").norm(Norm.layer(1e-5), NormPlacement.POST).parallelBlock(true)
                        .positional(Positional.t5Bias(8, 16)).finalNorm(false).build(),
                small("post-window-softcap").norm(Norm.simpleRms(1e-5), NormPlacement.POST)
                        .attention(Attention.multiQuery(4).withSlidingWindow(4)).finalLogitSoftcap(5).build(),
                small("latent-low-rank-query").latentAttention(dev.llmgraph.spec.LatentAttention.of(4, 16)
                        .withHeadDims(8, 8, 8).withQueryRank(16)).build(),
                small("latent-flash").latentAttention(dev.llmgraph.spec.LatentAttention.of(4, 16)
                        .withHeadDims(8, 8, 8).withFlash(true)).build());
        return Stream.concat(presets, others).map(s -> Arguments.of(s.name(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void everyTracedNodeCanBeReadWithItsTracedShape(String name, ModelSpec spec) {
        try (Model model = Model.random(spec, WeightInit.lecun(2), CPU)) {
            // one token too: ggml drops sizes of one that the trace keeps
            for (int length : new int[] {TOKENS, 1}) {
                checkTrace(model, Arrays.copyOf(tokens(spec), length));
            }
        }
    }

    private static void checkTrace(Model model, int[] tokens) {
        ShapeTrace trace = model.spec().accounting().shapeTrace(tokens.length);
        String[] names = trace.entries().stream().map(ShapeTrace.Entry::name).toArray(String[]::new);
        Model.Inspection inspection = model.inspect(tokens, names);
        for (ShapeTrace.Entry entry : trace.entries()) {
            NodeValue node = inspection.node(entry.name());
            assertNotNull(node, entry.name() + " was not returned");
            assertArrayEquals(entry.shape(), node.shape(), entry.name() + ": traced " + Arrays.toString(entry.shape())
                    + ", read " + Arrays.toString(node.shape()));
            assertEquals(Arrays.stream(entry.shape()).reduce(1, (a, b) -> a * b), node.values().length, entry.name());
        }
        assertArrayEquals(inspection.logits().toArray(), inspection.node("logits").values(), 0f,
                "the logits node is the logits");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void theModelHoldsTheWeightsOfTheLayout(String name, ModelSpec spec) {
        try (Model model = Model.random(spec, WeightInit.lecun(2), CPU)) {
            assertEquals(WeightLayout.of(spec).stream().map(WeightLayout.Weight::name).toList(), model.weightNames());
            long elements = model.weightNames().stream().mapToLong(w -> model.weight(w).length).sum();
            assertEquals(spec.parameterCount(), elements, "values read back against the parameter formula");
        }
    }

    @Test
    void attentionNormOfBlockZeroEqualsTheReference() {
        ModelSpec spec = Presets.byName("tiny-gpt2-small");
        try (Model model = Model.random(spec, WeightInit.lecun(4), CPU)) {
            int[] tokens = tokens(spec);
            NodeValue node = model.inspect(tokens, "attn_norm.0").node("attn_norm.0");
            double[] expected = ReferenceForward.of(model).run(tokens, 0).node("attn_norm.0");
            // float32 LayerNorm over 32 values of an N(0, 1) embedding plus position: rounding near 1e-7
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], node.values()[i], 1e-5, "attn_norm.0 element " + i);
            }
        }
    }

    @Test
    void attentionWeightsAreRowsOfProbabilitiesZeroWhereMasked() {
        int window = 4;
        ModelSpec spec = small("window").attention(Attention.grouped(4, 2).withSlidingWindow(window)).build();
        try (Model model = Model.random(spec, WeightInit.lecun(6), CPU)) {
            int[] tokens = tokens(spec);
            NodeValue weights = model.inspect(tokens, "kq_softmax.1").node("kq_softmax.1");
            assertArrayEquals(new long[] {4, TOKENS, TOKENS}, weights.shape());
            double[] expected = ReferenceForward.of(model).run(tokens, 0).node("kq_softmax.1");
            for (int h = 0; h < 4; h++) {
                for (int q = 0; q < TOKENS; q++) {
                    double sum = 0;
                    for (int k = 0; k < TOKENS; k++) {
                        float p = weights.get(h, q, k);
                        boolean visible = k <= q && q - k < window;
                        if (!visible) {
                            assertEquals(0f, p, "head " + h + " query " + q + " must not see key " + k);
                        }
                        // probabilities from float32 softmax of float32 logits: 1e-5 absolute
                        assertEquals(expected[(h * TOKENS + q) * TOKENS + k], p, 1e-5, "head " + h + " query " + q
                                + " key " + k);
                        sum += p;
                    }
                    assertEquals(1.0, sum, 1e-5, "row of head " + h + " query " + q);
                }
            }
        }
    }

    @Test
    void aPrefixDecoderInspectsItsWholeInputAsThePrefix() {
        ModelSpec spec = Presets.byName("tiny-chatglm-6b");
        try (Model model = Model.random(spec, WeightInit.lecun(8), CPU)) {
            NodeValue weights = model.inspect(tokens(spec), "kq_softmax.0").node("kq_softmax.0");
            int seenAhead = 0;
            for (int q = 0; q < TOKENS; q++) {
                for (int k = q + 1; k < TOKENS; k++) {
                    if (weights.get(0, q, k) > 0) {
                        seenAhead++;
                    }
                }
            }
            assertEquals(TOKENS * (TOKENS - 1) / 2, seenAhead, "every query sees every later key of the prefix");
        }
    }

    private static int[] tokens(ModelSpec spec) {
        return new SplittableRandom(spec.name().hashCode()).ints(TOKENS, 0, spec.vocabSize()).toArray();
    }

    private static ModelBuilder small(String name) {
        return Transformer.causalDecoder(name).vocabSize(64).dModel(32).layers(2).contextLength(32)
                .attention(Attention.multiHead(4)).ffn(Ffn.mlp(64, Activation.GELU));
    }
}
