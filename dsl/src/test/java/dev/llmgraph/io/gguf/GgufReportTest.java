package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which llama.cpp architecture a spec maps to, or why none: the reference is llama.cpp's model code as read
 * for each architecture (see the Javadoc of each {@code *Architecture}); the messages are asserted word for
 * word.
 */
class GgufReportTest {
    static Stream<String> labels() {
        return TinyModels.all().keySet().stream();
    }

    @ParameterizedTest(name = "the tiny {0} maps to its architecture")
    @MethodSource("labels")
    void eachTinyModelMapsToItsArchitecture(String label) {
        GgufReport report = GgufReport.of(TinyModels.all().get(label));
        assertEquals(Optional.of(TinyModels.architecture(label)), report.architecture(), report.toString());
        assertEquals(List.of(), report.problems());
    }

    @Test
    void publishedModelsMapToTheirLlamaCppArchitectures() {
        assertEquals(Optional.of("gpt2"), GgufReport.of(Presets.gpt2Small()).architecture());
        assertEquals(Optional.of("llama"), GgufReport.of(Presets.llama3_8b()).architecture());
        assertEquals(Optional.of("bloom"), GgufReport.of(Presets.bloom560m()).architecture());
        assertEquals(Optional.of("chatglm"), GgufReport.of(Presets.chatglm2_6b()).architecture());
    }

    @Test
    void aLlamaIsAlsoWhatChatGlmComputesWhenRopeCoversWholeHeads() {
        GgufReport report = GgufReport.of(Presets.llama2_7b());
        assertEquals(List.of("chatglm"), report.alsoFits());
        assertEquals("llama-2-7b maps to llama.cpp's 'llama' architecture (chatglm would compute the same)",
                report.toString());
    }

    @Test
    void sandwichNormsHaveNoEquivalentInTheLlamaArchitecture() {
        ModelSpec spec = TinyModels.all().get("llama").withPlacement(NormPlacement.SANDWICH);
        GgufReport report = GgufReport.of(spec);
        assertFalse(report.maps());
        assertEquals(Optional.of("llama"), report.closest());
        assertEquals("tiny-llama maps to no llama.cpp architecture; the closest, llama, differs in:\n"
                + "  SANDWICH norm placement with a llama architecture (llama.cpp's llama graph normalises before "
                + "each sublayer: PRE)", report.toString());
    }

    @Test
    void deepSeekV2sGroupRankingIsNotLlamaCpps() {
        ModelSpec groups = TinyModels.all().get("deepseek2, expert groups");
        var router = groups.moe().router();
        ModelSpec byBest = groups.withMoe(groups.moe().withRouter(router.withGroups(router.groups()
                .withRanking(dev.llmgraph.spec.ExpertGroups.Ranking.BEST_EXPERT))));
        assertEquals(List.of("experts in groups ranked by their best expert (DeepSeek-V2's group_limited_greedy) with "
                + "a deepseek2 architecture (llama.cpp's deepseek2 graph ranks a group by the sum of its two best "
                + "experts (DeepSeek-V3's rule); use ExpertGroups.Ranking.TWO_BEST_EXPERTS, knowing that it routes "
                + "differently)"), GgufReport.of(byBest).problems());
        ModelSpec allKept = groups.withMoe(groups.moe().withRouter(router.withGroups(
                dev.llmgraph.spec.ExpertGroups.of(4, 4))));
        assertEquals(List.of("all 4 expert groups kept with a deepseek2 architecture (llama.cpp's deepseek2 graph "
                + "refuses to keep every group; drop the groups, which routes the same)"),
                GgufReport.of(allKept).problems());
    }

    /**
     * Gemma 3's graph scales q before q.k and rotates its sliding layers unscaled with their own base; a RoPE base of
     * the sliding layers' own is no other graph's.
     */
    @Test
    void gemma3sQueryScalingAndSlidingRopeAreItsOwn() {
        ModelSpec gemma3 = TinyModels.all().get("gemma3");
        Positional.Rope rope = (Positional.Rope) gemma3.positional();
        assertEquals(List.of("attention scaling its logits with a gemma3 architecture (llama.cpp's gemma3 graph "
                + "scales q before q.k; declare Attention.withScaledQueries(true))"),
                GgufReport.of(gemma3.withAttention(gemma3.attention().withScaledQueries(false)))
                .problems());
        assertEquals(List.of("sliding layers scaled as the global ones (linear x4.0) with a gemma3 architecture "
                + "(llama.cpp's gemma3 graph rotates sliding layers unscaled, with their own base; declare it with "
                + "Positional.Rope.withSlidingTheta)"), GgufReport.of(gemma3.withPositional(rope.withSlidingTheta(0)))
                .problems());
        ModelSpec gemma2 = TinyModels.all().get("gemma2");
        ModelSpec ownBase = gemma2.withPositional(((Positional.Rope) gemma2.positional()).withSlidingTheta(100));
        assertEquals(Optional.of("gemma2"), GgufReport.of(ownBase).architecture());
        ModelSpec scaled = ownBase.withPositional(((Positional.Rope) ownBase.positional())
                .withScaling(RopeScaling.linear(2)));
        assertEquals(List.of("sliding layers rotating unscaled with base 100.0 with a gemma2 architecture (llama.cpp's "
                + "gemma2 graph scales every layer's RoPE as linear x2.0, sliding layers included)"),
                GgufReport.of(scaled).problems());
        ModelSpec llama = TinyModels.all().get("llama");
        assertEquals(List.of("RoPE base 100.0 on the sliding layers with a llama architecture (llama.cpp's llama graph "
                + "rotates every layer with one base)", "a sliding window (window 8, every 2nd layer global) with a "
                + "llama architecture (llama.cpp's llama graph attends to every earlier position)"), FamilyMisfits.of(ModelFamily.LLAMA, llama.withAttention(llama.attention()
                .withSlidingWindow(SlidingWindow.withGlobalEvery(8, 2))).withPositional(((Positional.Rope)
                llama.positional()).withSlidingTheta(100))));
    }

    @Test
    void aBiasOnTheLogitsIsPhi2sAlone() {
        ModelSpec llama = TinyModels.all().get("llama");
        assertEquals(List.of("a bias on the output head with a llama architecture (llama.cpp's llama graph has none)"),
                GgufReport.of(llama.withEmbeddings(llama.embeddings().withOutputBias(true))).problems());
        ModelSpec phi2 = TinyModels.all().get("phi2");
        assertEquals(List.of("no bias on the output head with a phi2 architecture (llama.cpp's phi2 graph adds "
                + "output.bias to the logits)"), GgufReport.of(phi2.withEmbeddings(phi2.embeddings().withOutputBias(false)))
                .problems());
    }

    @Test
    void mistralsSlidingWindowHasNoEquivalentInTheLlamaArchitecture() {
        assertEquals(List.of("a sliding window (window 4096 on every layer) with a llama architecture (llama.cpp's "
                + "llama graph attends to every earlier position)"), GgufReport.of(Presets.mistral7b()).problems());
    }

    @Test
    void falconWithExactGeluIsNotWhatLlamaCppComputes() {
        GgufReport report = GgufReport.of(Presets.falcon7b());
        assertEquals(Optional.of("falcon"), report.closest());
        assertEquals(List.of("an MLP with exact GELU with a falcon architecture (llama.cpp's falcon graph uses an MLP "
                + "with tanh-approximated GELU)"), report.problems());
        ModelSpec tanh = Presets.falcon7b().withFfn(Presets.falcon7b().ffn().withActivation(Activation.GELU_TANH));
        assertEquals(Optional.of("falcon"), GgufReport.of(tanh).architecture());
    }

    @Test
    void aPrefixDecoderWithDeepNormMapsToNone() {
        assertEquals("chatglm-6b maps to no llama.cpp architecture:\n"
                + "  a prefix decoder (llama.cpp's decoders are causal)\n"
                + "  DEEPNORM norm placement (the llama.cpp decoders llmgraph maps to normalise before each sublayer, "
                + "Gemma 2 also after it)", GgufReport.of(Presets.chatglm6b()).toString());
    }

    @Test
    void t5BiasInADecoderMapsToNone() {
        ModelSpec spec = TinyModels.all().get("llama").withPositional(Positional.t5Bias(32, 128));
        assertEquals(List.of("T5 bias in a decoder (llama.cpp has T5's bucketed relative bias only in its t5 "
                + "encoder-decoder)"), GgufReport.of(spec).problems());
    }

    @Test
    void ntkAwareScalingIsWrittenAsItsBase() {
        ModelSpec spec = TinyModels.all().get("llama").withPositional(Positional.rope(10_000)
                .withScaling(dev.llmgraph.spec.RopeScaling.ntkAware(4)));
        GgufReport report = GgufReport.of(spec);
        assertTrue(report.maps());
        assertEquals(List.of("NTK-aware RoPE scaling is written as the base it raises theta to, 48760.547 (llama.cpp "
                + "has no NTK-aware setting; the rotation is the same)"), report.notes());
    }

    @Test
    void writingASpecThatMapsToNoneSaysWhy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        ModelSpec spec = TinyModels.all().get("llama").withPlacement(NormPlacement.SANDWICH);
        java.nio.file.Path file = dir.resolve("x.gguf");
        try (var model = dev.llmgraph.model.Model.random(spec, 1)) {
            assertEquals("cannot write " + file + " for llama.cpp: " + GgufReport.of(spec),
                    assertThrows(IllegalArgumentException.class, () -> GgufModels.write(model, file)).getMessage());
        }
    }
}
