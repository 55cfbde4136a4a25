package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Llama 3's RoPE scaling in GGUF files: llama.cpp divides by the tensor rope_freqs that llmgraph writes (its parity
 * with llmgraph is {@link LlamaCppParityTest}'s "llama, Llama 3 RoPE"; here, that the tensor changes what it
 * computes), and a file as llama.cpp's converter writes it, with the tensor and without llmgraph's keys, reads back
 * as the scaling it was made from.
 */
class Llama3RopeTest {
    /** As llama.cpp runs (an F16 cache, plain products), for the comparison with it. */
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16)
            .withRepackMapped(false);

    /** Llama 3.2 1B's RoPE (head size 64, theta 500,000, trained on 8,192 positions) on a two-layer model. */
    private static ModelSpec llama32Rope(double factor) {
        Positional.Rope rope = (Positional.Rope) Presets.llama32_1b().positional();
        return Transformer.causalDecoder("tiny-llama-3.2").vocabSize(TinyModels.VOCAB).dModel(128).layers(2)
                .contextLength(64).attention(Attention.grouped(2, 1))
                .positional(rope.withScaling(RopeScaling.llama3(factor, 8192)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(96)).tiedEmbeddings(true).build();
    }

    @ParameterizedTest(name = "factor {0}")
    @ValueSource(doubles = {8, 32})
    void aFileAsLlamaCppsConverterWritesItReadsBackAsTheSameScaling(double factor, @TempDir Path dir) {
        ModelSpec spec = llama32Rope(factor);
        Path written = dir.resolve("llmgraph.gguf");
        float[] divisors, logits;
        try (Model model = Model.random(spec, WeightInit.lecun(5), CPU)) {
            GgufModels.write(model, written);
            divisors = model.weight("rope_freqs.weight");
            logits = model.forward(TinyModels.prompt(20)).toArray();
        }
        // Llama 3.2's published divisors: 15 pairs kept, pairs 15 to 17 blended, the other 14 divided by the factor
        assertEquals(32, divisors.length);
        assertEquals(15, count(divisors, 1));
        assertEquals(14, count(divisors, (float) factor));
        Path converted = GgufReadErrorsTest.variant(written, "as-converted",
                keys -> keys.keySet().removeIf(key -> key.startsWith("llmgraph.")), w -> { });
        try (GgufFile file = GgufFile.open(converted)) {
            assertFalse(file.metadata().keySet().stream().anyMatch(key -> key.startsWith("llmgraph.")));
        }
        assertEquals(spec.positional(), GgufModels.spec(converted).positional(),
                "the parameters fitted to the divisors are Llama 3.2's, to three decimals");
        try (Model model = GgufModels.load(converted, CPU)) {
            assertArrayEquals(divisors, model.weight("rope_freqs.weight"), 0f);
            assertArrayEquals(logits, model.forward(TinyModels.prompt(20)).toArray(), 0f);
        }
    }

    /**
     * llama.cpp's converter computes the divisors in float32 torch arithmetic (convert_hf_to_gguf, the llama model's
     * generate_extra_tensors), so a real file's differ from llmgraph's in the last bits. Such a file reads as Llama
     * 3.2's parameters, and llmgraph, dividing by its own divisors, computes llama.cpp's logits on it.
     */
    @Test
    void aFileWithTheConvertersFloat32DivisorsRunsAsLlamaCppRunsIt(@TempDir Path dir) {
        ModelSpec spec = llama32Rope(32);
        Path written = dir.resolve("llmgraph.gguf");
        try (Model model = Model.random(spec, WeightInit.lecun(7), CPU)) {
            GgufModels.write(model, written);
        }
        float[] converters = convertersDivisors(64, 500_000f, 32f, 1f, 4f, 8192f);
        Path converted = GgufReadErrorsTest.variant(written, "converted",
                keys -> keys.keySet().removeIf(key -> key.startsWith("llmgraph.")),
                w -> w.addTensor("rope_freqs.weight", converters, 32), "rope_freqs.weight");
        assertEquals(spec.positional(), GgufModels.spec(converted).positional());
        int[] prompt = TinyModels.prompt(40);
        float[] reference = llamaCpp(converted, spec, prompt);
        try (Model model = GgufModels.load(converted, CPU)) {
            float[] ours = model.forward(prompt).toArray();
            double largest = 0, worst = 0;
            for (int i = 0; i < ours.length; i++) {
                largest = Math.max(largest, Math.abs(reference[i]));
                worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
            }
            assertTrue(worst <= 1e-5 * largest, "llmgraph and llama.cpp on the converter's divisors: " + worst
                    + " of " + largest);
        }
    }

    /** The divisors as the converter computes them, each step in float32 as torch does on a float32 tensor. */
    private static float[] convertersDivisors(int dim, float base, float factor, float low, float high, float old) {
        float[] divisors = new float[dim / 2];
        float lowWavelength = old / low, highWavelength = old / high;
        for (int i = 0; i < divisors.length; i++) {
            float exponent = (float) (2 * i) / dim;
            float frequency = 1f / (float) Math.pow(base, exponent);
            float wavelength = (float) (2 * Math.PI) / frequency;
            if (wavelength < highWavelength) {
                divisors[i] = 1;
            } else if (wavelength > lowWavelength) {
                divisors[i] = factor;
            } else {
                float smooth = (old / wavelength - low) / (high - low);
                divisors[i] = 1 / ((1 - smooth) / factor + smooth);
            }
        }
        return divisors;
    }

    @Test
    void llamaCppReadsTheDivisorsFromTheFile(@TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get("llama, Llama 3 RoPE");
        Path file = dir.resolve("llama3.gguf");
        try (Model model = Model.random(spec, WeightInit.lecun(11), CPU)) {
            GgufModels.write(model, file);
        }
        float[] ones = new float[8];
        Arrays.fill(ones, 1f);
        Path unscaled = GgufReadErrorsTest.variant(file, "unscaled",
                keys -> keys.keySet().removeIf(key -> key.startsWith("llmgraph.")),
                w -> w.addTensor("rope_freqs.weight", ones, 8), "rope_freqs.weight");
        int[] prompt = TinyModels.prompt(40);
        float[] scaled = llamaCpp(file, spec, prompt), plain = llamaCpp(unscaled, spec, prompt);
        double largest = 0, change = 0;
        for (int i = 0; i < scaled.length; i++) {
            largest = Math.max(largest, Math.abs(scaled[i]));
            change = Math.max(change, Math.abs(scaled[i] - plain[i]));
        }
        // 100x LlamaCppParityTest's F32 tolerance (1e-4 of the largest logit): the parity there can tell the two apart
        assertTrue(change > 1e-2 * largest, "divisors of 1 change llama.cpp's logits by " + change + " of " + largest);
        try (Model model = GgufModels.load(unscaled, CPU)) {
            assertEquals(RopeScaling.llama3(1, 8192), ((Positional.Rope) model.spec().positional()).scaling(),
                    "divisors of 1 read as Llama 3 scaling by 1, which changes nothing");
            float[] ours = model.forward(prompt).toArray();
            double worst = 0;
            for (int i = 0; i < ours.length; i++) {
                worst = Math.max(worst, Math.abs(ours[i] - plain[i]));
            }
            assertTrue(worst <= 1e-4 * largest, "llmgraph and llama.cpp on the unscaled file: " + worst);
        }
    }

    @Test
    void aFileThatScalesTwiceIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("llama3.gguf");
        try (Model model = Model.random(TinyModels.all().get("llama, Llama 3 RoPE"), WeightInit.lecun(1), CPU)) {
            GgufModels.write(model, file);
        }
        Path twice = GgufReadErrorsTest.variant(file, "twice", keys -> {
            keys.put("llama.rope.scaling.type", GgufValue.string("linear"));
            keys.put("llama.rope.scaling.factor", GgufValue.float32(4f));
        }, w -> { });
        assertEquals(twice + ": the file scales RoPE twice: key 'llama.rope.scaling.type' (linear x4.0) and the tensor "
                + "'rope_freqs.weight' (Llama 3's divisors); llama.cpp would apply both, llmgraph has one scaling",
                GgufReadErrorsTest.readError(twice));
    }

    @Test
    void onlyTheLlamaArchitectureReadsTheDivisors() {
        ModelSpec qwen = TinyModels.all().get("qwen2").toBuilder()
                .positional(((Positional.Rope) TinyModels.all().get("qwen2").positional())
                        .withScaling(RopeScaling.llama3(8, 64))).build();
        assertEquals(java.util.List.of("RoPE with Llama 3 x8.0 from 64 scaling with a qwen2 architecture (llama.cpp's "
                + "qwen2 graph reads no per-frequency RoPE divisors (rope_freqs); llama.cpp's llama family does)"),
                FamilyMisfits.of(dev.llmgraph.io.family.ModelFamily.QWEN2, qwen));
        assertFalse(GgufReport.of(qwen).maps());
    }

    private static float[] llamaCpp(Path file, ModelSpec spec, int[] prompt) {
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withContextLength(spec.contextLength())
                .withThreads(2);
        try (LlamaReference llama = LlamaReference.open(file, settings)) {
            return LlamaCppParityTest.flatten(llama.logits(prompt));
        }
    }

    private static int count(float[] values, float value) {
        int n = 0;
        for (float v : values) {
            n += v == value ? 1 : 0;
        }
        return n;
    }
}
