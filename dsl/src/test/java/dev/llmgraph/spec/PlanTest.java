package dev.llmgraph.spec;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.plan.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The block plan against formulas written from the spec alone (the way accounting computed them before it
 * read the plan), and the shape of a block in each norm placement.
 */
class PlanTest {
    static Stream<Arguments> presetsAndRandomSpecs() {
        // The formulas below are those of dense softmax attention (and Mamba's); MoE and MLA presets have their own
        // (MoeSpecTest, LatentAttentionSpecTest, MoePresetCountsTest), and so have RWKV's (RwkvSpecTest) and linear attention's (LinearAttentionSpecTest).
        Stream<ModelSpec> presets = Stream.concat(Presets.all().values().stream(), Presets.stateSpace().values()
                .stream()).map(Supplier::get)
                .filter(s -> !s.sparse() && !s.latentAttention() && s.rwkv() == null && s.linear() == null);
        SplittableRandom random = new SplittableRandom(23);
        Stream<ModelSpec> randomSpecs = IntStream.range(0, 200).mapToObj(i -> RandomSpecs.next(random, "random-" + i));
        return Stream.concat(presets, randomSpecs).map(spec -> Arguments.of(spec.describe().replace("\n  ", "; "), spec));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presetsAndRandomSpecs")
    void parametersPerComponentMatchTheSpecFormulas(String description, ModelSpec s) {
        int d = s.dModel();
        long perNorm = s.norm().parametersPerNorm(d);
        int normsPerLayer = s.parallelBlock() || s.recurrent() ? 1 : s.placement() == NormPlacement.SANDWICH ? 4 : 2;
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("token embedding", (long) s.vocabSize() * d);
        expected.put("positional", s.positional().parameters(d, s.contextLength(), s.heads()));
        expected.put("embedding norm", s.embeddings().layerNorm() ? perNorm : 0);
        if (s.recurrent()) { // a Mamba block: the mixer alone
            expected.put("state space", (long) s.layers() * s.ssm().parameters(d));
        } else {
            expected.put("attention", (long) s.layers() * s.attention().parameters(d));
            expected.put("ffn", (long) s.layers() * s.ffn().parameters(d));
        }
        expected.put("block norms", (long) s.layers() * normsPerLayer * perNorm);
        expected.put("final norm", s.finalNorm() ? perNorm : 0);
        expected.put("output head", (s.tiedEmbeddings() ? 0 : (long) s.vocabSize() * d)
                + (s.embeddings().outputBias() ? s.vocabSize() : 0));
        expected.values().removeIf(v -> v == 0);
        assertEquals(expected, s.accounting().parameters().components());
        assertEquals(normsPerLayer, s.accounting().normsPerLayer());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presetsAndRandomSpecs")
    void flopsAndKvCacheMatchTheSpecFormulas(String description, ModelSpec s) {
        long d = s.dModel(), hd = s.headDim();
        int context = 100;
        if (s.recurrent()) {
            // the projections (Mamba: in, x, dt, out; Mamba-2: in, out), then the convolution and the scan, whatever
            // the context
            long di = s.ssm().innerDim(), ds = s.ssm().stateDim(), channels = s.ssm().convChannels();
            long matrices = switch (s.ssm()) {
                case Ssm m -> d * 2 * di + di * (m.dtRank() + 2 * ds) + m.dtRank() * di + di * d;
                case Mamba2 m -> d * (di + channels + m.heads()) + di * d;
            };
            long mamba = 2 * matrices + 2L * s.ssm().convWidth() * channels + 6 * ds * di;
            assertEquals(s.layers() * mamba + 2L * d * s.vocabSize(), s.accounting().flopsPerToken(context));
            assertEquals(0, s.accounting().kvCacheElementsPerToken());
            return;
        }
        long perLayer = 2 * (d * hd * (2L * s.heads() + 2L * s.kvHeads()) + (s.ffn().gated() ? 3L : 2L) * d * s.ffnDim());
        long scores = 0;
        for (int layer = 0; layer < s.layers(); layer++) {
            long keys = s.attention().slides(layer) ? Math.min(context, s.attention().window().size()) : context;
            scores += 4L * s.heads() * hd * keys;
        }
        assertEquals(s.layers() * perLayer + scores + 2L * d * s.vocabSize(), s.accounting().flopsPerToken(context));
        assertEquals(2L * s.kvHeads() * hd * s.layers(), s.accounting().kvCacheElementsPerToken());
    }

    @ParameterizedTest(name = "{0}, parallel {1}")
    @CsvSource(delimiter = '|', value = {
            "PRE      | false | Residual[Normalize, Mix], Residual[Normalize, Channel]",
            "SANDWICH | false | Residual[Normalize, Mix, Normalize], Residual[Normalize, Channel, Normalize]",
            "POST     | false | Residual[Mix], Normalize, Residual[Channel], Normalize",
            "DEEPNORM | false | Residual(1.78)[Mix], Normalize, Residual(1.78)[Channel], Normalize",
            "PRE      | true  | Residual[Normalize, Parallel[Mix / Channel]]",
            "POST     | true  | Residual[Mix / Channel], Normalize"})
    void aBlockInEachPlacement(NormPlacement placement, boolean parallel, String steps) {
        ModelSpec spec = Transformer.causalDecoder("p").vocabSize(16).dModel(8).layers(5).contextLength(8)
                .attention(Attention.multiHead(2)).ffn(Ffn.swiglu(16)).norm(Norm.rms(1e-5), placement)
                .parallelBlock(parallel).build();
        assertEquals(steps, describe(spec.plan().blocks().get(3).steps()));
    }

    @Test
    void everyLayerReadsItsOwnMaskFromTheSpec() {
        ModelSpec spec = Transformer.causalDecoder("gemma-like").vocabSize(16).dModel(8).layers(4).contextLength(8)
                .attention(Attention.multiHead(2).withSlidingWindow(SlidingWindow.withGlobalEvery(4, 2)))
                .ffn(Ffn.geglu(16)).build();
        List<MaskKind> masks = spec.plan().blocks().stream().flatMap(b -> b.leaves().stream()).map(PlanTest::mask)
                .filter(m -> m != null).toList();
        assertEquals(List.of(MaskKind.SLIDING, MaskKind.CAUSAL, MaskKind.SLIDING, MaskKind.CAUSAL), masks);
    }

    private static MaskKind mask(Step leaf) {
        return switch (leaf) {
            case Step.Mix mix -> mix.mask();
            case Step.Normalize _, Step.Channel _, Step.Embed _, Step.Head _, Step.Pool _, Step.MaskedLm _,
                 Step.Residual _, Step.Parallel _ -> null;
        };
    }

    private static String describe(List<Step> steps) {
        return steps.stream().map(PlanTest::describe).collect(Collectors.joining(", "));
    }

    private static String describe(Step step) {
        return switch (step) {
            case Step.Residual r -> "Residual" + (r.alpha() == 1 ? "" : String.format("(%.2f)", r.alpha()))
                    + r.branches().stream().map(PlanTest::describe).collect(Collectors.joining(" / ", "[", "]"));
            case Step.Parallel p -> "Parallel"
                    + p.branches().stream().map(PlanTest::describe).collect(Collectors.joining(" / ", "[", "]"));
            case Step.Normalize _ -> "Normalize";
            case Step.Mix _ -> "Mix";
            case Step.Channel _ -> "Channel";
            case Step.Embed _ -> "Embed";
            case Step.Head _ -> "Head";
            case Step.Pool _ -> "Pool";
            case Step.MaskedLm _ -> "MaskedLm";
        };
    }
}
