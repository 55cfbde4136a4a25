package dev.llmgraph.io.hf;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * spec -> config.json -> spec gives the spec back, for every preset HF can describe (full and tiny) and for
 * variants that exercise each field. The reference is the spec itself; the tolerance is none (record
 * equality). gpt2, bloom and falcon configs cannot say whether a head size dModel / heads was explicit, so
 * those specs are compared with the head size left implicit.
 */
class HfConfigRoundTripTest {
    private static ModelSpec implicitHeadDim(ModelSpec s) {
        boolean implied = s.attention().headDim() == s.dModel() / s.heads() && s.dModel() % s.heads() == 0;
        return implied ? s.withAttention(s.attention().withHeadDim(0)) : s;
    }

    private static ModelSpec roundTrip(ModelSpec spec, HfModelType expectedType) {
        assertEquals(expectedType, HfConfig.modelTypeFor(spec), "type chosen for " + spec.name());
        return HfConfig.parse(HfConfig.toJson(spec), "config.json");
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"gpt2-small, GPT2", "gpt2-medium, GPT2", "llama-2-7b, LLAMA", "llama-3-8b, LLAMA",
            "llama-3.2-1b, LLAMA", "tinyllama-1.1b, LLAMA", "mistral-7b, MISTRAL", "qwen3-0.6b, QWEN3", "gemma-2-2b, GEMMA2",
            "bloom-560m, BLOOM", "falcon-7b, FALCON"})
    void presetsRoundTrip_fullAndTiny(String preset, HfModelType type) {
        for (ModelSpec spec : new ModelSpec[] {Presets.byName(preset), Presets.byName("tiny-" + preset)}) {
            ModelSpec back = roundTrip(spec, type);
            if (type.llamaShaped() || type == HfModelType.GEMMA2) {   // their configs say head_dim
                assertEquals(spec, back);
            } else {
                assertEquals(implicitHeadDim(spec), back);
            }
        }
    }

    @Test
    void writeToAFolderThenRead(@TempDir Path dir) throws IOException {
        ModelSpec spec = Presets.byName("tiny-mistral-7b");
        Path file = HfConfig.write(spec, dir.resolve("out"));
        assertEquals(dir.resolve("out").resolve("config.json"), file);
        assertTrue(Files.readString(file).contains("  \"model_type\": \"mistral\",\n"));
        assertEquals(spec, HfConfig.read(dir.resolve("out")));
        assertEquals(HfModelType.MISTRAL, HfConfig.modelType(file));
    }

    @Test
    void ropeScalingsRoundTrip_linearDynamicYarnLlama3() {
        ModelSpec base = Presets.byName("tiny-llama-2-7b");
        Positional.Rope rope = (Positional.Rope) base.positional();
        for (RopeScaling scaling : new RopeScaling[] {RopeScaling.linear(4), RopeScaling.ntkAware(2),
                new RopeScaling.Yarn(8, 64, 16, 2), RopeScaling.llama3(32, 8192),
                new RopeScaling.Llama3(8, 1.5, 3, 4096)}) {
            ModelSpec spec = base.withPositional(rope.withScaling(scaling).withTheta(500_000));
            assertEquals(spec, roundTrip(spec, HfModelType.LLAMA), scaling.toString());
        }
    }

    @Test
    void qwen2RoundTrip_qkvBiasHalvesPairingWindowOnEveryLayer() {
        ModelSpec llama = Presets.byName("tiny-llama-2-7b");
        ModelSpec qwen = llama.toBuilder().name("tiny-qwen2")
                .attention(Attention.grouped(4, 2).withHeadDim(8).withBias(true, false))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .tiedEmbeddings(true).build();
        assertEquals(qwen, roundTrip(qwen, HfModelType.QWEN2));
        ModelSpec sliding = qwen.withAttention(qwen.attention().withSlidingWindow(32));
        assertEquals(sliding, roundTrip(sliding, HfModelType.QWEN2));
    }

    @Test
    void qwen3RoundTrip_biasesOnAllFourWindowOnEveryLayer_implicitHeadDimComesBackExplicit() {
        ModelSpec tiny = Presets.byName("tiny-qwen3-0.6b");
        ModelSpec biased = tiny.withAttention(tiny.attention().withBias(true).withSlidingWindow(32));
        assertEquals(biased, roundTrip(biased, HfModelType.QWEN3));
        // Qwen3Config reads an absent head_dim as 128, so qwen3 always writes it: dModel / heads comes back explicit.
        ModelSpec implicit = tiny.withAttention(tiny.attention().withHeadDim(0));
        assertTrue(HfConfig.toJson(implicit).contains("\"head_dim\": 8,"));
        assertEquals(tiny, roundTrip(implicit, HfModelType.QWEN3));
    }

    @Test
    void qkNormOnlyPerHead_andOnlyQwen3_namesWhatDiffers() {
        ModelSpec qwen3 = Presets.byName("tiny-qwen3-0.6b");
        ModelSpec wholeWidth = qwen3.withAttention(qwen3.attention().withQkNorm(QkNorm.WHOLE_WIDTH));
        var e = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(wholeWidth, HfModelType.QWEN3));
        assertEquals("spec 'tiny-qwen3-0.6b' cannot be written as HF qwen3:\n"
                + "  - attention.qkNorm = WHOLE_WIDTH: HF qwen3 RMS-normalises q and k per head before RoPE (q_norm and "
                + "k_norm of head_dim)", e.getMessage());
        var qwen2 = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(qwen3, HfModelType.QWEN2));
        assertEquals("spec 'tiny-qwen3-0.6b' cannot be written as HF qwen2:\n"
                + "  - attention.qkNorm = PER_HEAD: HF qwen2 has no QK-norm\n"
                + "  - attention bias = none: HF qwen2 has biases on q, k and v and none on o", qwen2.getMessage());
    }

    @Test
    void llamaVariantsRoundTrip_biasesGeluExplicitHeadDim() {
        ModelSpec base = Presets.byName("tiny-llama-2-7b");
        ModelSpec biased = base.toBuilder().attention(base.attention().withBias(true).withHeadDim(16))
                .ffn(Ffn.geglu(64).withBias(true)).tiedEmbeddings(true).build();
        assertEquals(biased, roundTrip(biased, HfModelType.LLAMA));
    }

    @Test
    void falconVariantsRoundTrip_groupedNewArchitectureAndSequentialMha() {
        ModelSpec tiny = Presets.byName("tiny-falcon-7b");
        ModelSpec grouped = tiny.withAttention(Attention.grouped(4, 2));
        assertEquals(grouped, roundTrip(grouped, HfModelType.FALCON));
        ModelSpec sequential = tiny.toBuilder().attention(Attention.multiHead(4).withBias(true))
                .ffn(Ffn.mlp(128, Activation.RELU)).parallelBlock(false).tiedEmbeddings(false).build();
        assertEquals(sequential, roundTrip(sequential, HfModelType.FALCON));
    }

    @Test
    void gpt2WithoutLogitScaling_softmaxScaleOne() {
        ModelSpec tiny = implicitHeadDim(Presets.byName("tiny-gpt2-small"));
        ModelSpec unscaled = tiny.withAttention(tiny.attention().withSoftmaxScale(1.0)).withTiedEmbeddings(false);
        assertEquals(unscaled, roundTrip(unscaled, HfModelType.GPT2));
    }

    /** A RoPE base of the sliding layers' own is gemma3_text's rope_local_base_freq alone. */
    @Test
    void aSlidingRopeBaseIsGemma3sAlone() {
        ModelSpec gemma2 = Presets.gemma2_2b();
        ModelSpec ownBase = gemma2.withPositional(((Positional.Rope) gemma2.positional()).withSlidingTheta(100));
        var e = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(ownBase));
        assertEquals(HfModelType.GEMMA2, e.closest());
        assertTrue(e.getMessage().endsWith("the closest, gemma2, differs in:\n"
                + "  - positional.slidingTheta = 100.0: HF gemma2 rotates every layer with rope_theta"), e.getMessage());
        ModelSpec gemma3 = Presets.gemma3_1b();
        assertEquals(gemma3, HfConfig.parse(HfConfig.toJson(gemma3), "config.json").withName(gemma3.name()));
    }

    @Test
    void chatglm2HasNoEquivalent_closestIsQwen2() {
        var e = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(Presets.chatglm2_6b()));
        assertEquals("spec 'chatglm2-6b' has no HF config.json equivalent among llama, mistral, qwen2, qwen3, "
                + "gemma2, gemma3_text, phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, "
                + "deepseek_v2 and bert; "
                + "the closest, qwen2, differs in:\n"
                + "  - positional.fraction = 0.5: HF qwen2 rotates whole heads", e.getMessage());
        assertEquals(HfModelType.QWEN2, e.closest());
    }

    @Test
    void chatglm6bHasNoEquivalent_closestIsFalcon() {
        var e = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(Presets.chatglm6b()));
        assertEquals("spec 'chatglm-6b' has no HF config.json equivalent among llama, mistral, qwen2, qwen3, "
                + "gemma2, gemma3_text, phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, "
                + "deepseek_v2 and bert; "
                + "the closest, falcon, differs in:\n"
                + "  - kind = PREFIX_DECODER: HF falcon is a causal decoder\n"
                + "  - placement = DEEPNORM: HF falcon normalises before each sublayer (PRE)", e.getMessage());
    }

    @Test
    void aChosenTypeThatDoesNotFit_listsEveryChoice() {
        var e = assertThrows(NoHfEquivalentException.class,
                () -> HfConfig.toJson(Presets.llama2_7b(), HfModelType.GPT2));
        assertEquals("spec 'llama-2-7b' cannot be written as HF gpt2:\n"
                + "  - positional = RoPE(theta=10000.0, ADJACENT): HF gpt2 learns absolute positions (wpe)\n"
                + "  - norm = RMSNorm(eps=1.0E-5): HF gpt2 uses LayerNorm with a bias\n"
                + "  - ffn = SwiGLU(width=11008): HF gpt2 has an ungated MLP (c_fc, c_proj)\n"
                + "  - ffn.bias = false: HF gpt2 has biases on its MLP\n"
                + "  - attention bias = none: HF gpt2 has biases on q, k, v and o", e.getMessage());
    }

    @Test
    void gemmaStyleChoicesAreNamed_softcapsSandwichScaledEmbeddingsAlternatingWindow() {
        ModelSpec base = Presets.byName("tiny-mistral-7b");
        ModelSpec gemmaLike = base.toBuilder()
                .attention(base.attention().withSlidingWindow(SlidingWindow.withGlobalEvery(16, 2)).withLogitSoftcap(50))
                .embeddings(base.embeddings().withScale(Math.sqrt(32)))
                .finalLogitSoftcap(30).build();
        var e = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(gemmaLike, HfModelType.MISTRAL));
        assertEquals("spec 'tiny-mistral-7b' cannot be written as HF mistral:\n"
                + "  - finalLogitSoftcap = 30.0: HF mistral has no logit softcapping\n"
                + "  - embeddings.scale = 5.656854249492381: HF mistral does not scale the embeddings\n"
                + "  - attention.logitSoftcap = 50.0: HF mistral has no attention softcapping\n"
                + "  - attention.window = window 16, every 2nd layer global: HF mistral slides on every layer or on "
                + "none", e.getMessage());
    }
}
