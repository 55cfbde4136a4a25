package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.llama.LlamaEmbeddings;
import dev.llmgraph.ggml.llama.LlamaEncoderDecoder;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * T5 against llama.cpp's {@code t5} graph, and T5's encoder against {@code t5encoder}'s, on tiny random-weight models
 * (2 + 2 layers, dModel 64, 4 heads, FFN 128, 32 buckets reaching 128) written as GGUF by llmgraph: T5 v1.0's ReLU FFN
 * with the rescaled tied head (written as output.weight = E dModel^-0.5), and Flan-T5's gated GELU with an untied head.
 * llama.cpp encodes a 24-token input ({@code llama_encode}) and decodes the start token and 15 more teacher-forced
 * ({@code llama_decode}); llmgraph does the same from its own weights and from the file read back. Compared: the
 * decoder's logits at every position (t5) and every token's hidden state (t5encoder), errors relative to llama.cpp's
 * largest |value|.
 *
 * <p>Tolerances as for the decoders ({@link LlamaCppParityTest}): F32 1e-4, the same kernels on the same values; Q8_0
 * and Q4_0 1e-3, both sides reading the same quantized bytes.
 */
class T5ParityTest {
    private static final int THREADS = 2;
    private static final Map<String, String> TABLE = new TreeMap<>();
    private static final int[] INPUT = TinyModels.prompt(24);
    private static final int[] OUTPUT = TinyModels.prompt(15);

    static EncoderDecoderSpec tinyT5(boolean flan) {
        var b = Transformer.encoderDecoder(flan ? "tiny-flan-t5" : "tiny-t5").vocabSize(TinyModels.VOCAB).dModel(64)
                .encoderLayers(2).decoderLayers(2).heads(4).relativeBias(Positional.t5Bias(32, 128))
                .contextLength(64).decoderStartToken(0);
        return flan ? b.ffn(Ffn.geglu(128).withActivation(Activation.GELU_TANH).withBias(false))
                .tiedEmbeddings(false).rescaledHead(false).build()
                : b.ffn(Ffn.mlp(128, Activation.RELU).withBias(false)).tiedEmbeddings(true).rescaledHead(true).build();
    }

    static Stream<Arguments> cases() {
        return Stream.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0)
                .flatMap(type -> Stream.of(Arguments.of(false, type), Arguments.of(true, type)));
    }

    private static double tolerance(GgmlType type) {
        return type == GgmlType.F32 ? 1e-4 : 1e-3;
    }

    @ParameterizedTest(name = "flan = {0}, {1} matrices: decoder logits after llama_encode")
    @MethodSource("cases")
    void t5MatchesLlamaCpp(boolean flan, GgmlType type, @TempDir Path dir) {
        EncoderDecoderSpec spec = tinyT5(flan);
        Path file = dir.resolve(spec.name() + "-" + type + ".gguf");
        // llama.cpp keeps the decoder's self-attention keys and values in F16 (its encoder and cross-attention in F32)
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type)
                .withCacheType(GgmlType.F16);
        float[] ours, readBack;
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, WeightInit.lecun(11), options)) {
            EncoderDecoderGguf.write(model, file);
            ours = model.forward(INPUT, OUTPUT).toArray();
        }
        try (GgufFile gguf = GgufFile.open(file)) {
            EncoderDecoderSpec read = EncoderDecoderGguf.spec(gguf);
            assertEquals(spec.encoder(), read.encoder(), "the encoder read back");
            assertEquals(spec.ffn(), read.ffn());
            assertEquals(!spec.rescaledHead() && spec.tiedEmbeddings(), read.tiedEmbeddings(),
                    "a rescaled tied head is written as output.weight");
        }
        try (EncoderDecoderModel model = EncoderDecoderGguf.load(file, options)) {
            readBack = model.forward(INPUT, OUTPUT).toArray();
        }
        float[] llama;
        try (LlamaEncoderDecoder reference = LlamaEncoderDecoder.open(file, spec.contextLength(), THREADS)) {
            llama = LlamaCppParityTest.flatten(reference.logits(INPUT, decoderIds(spec)));
        }
        Difference forward = Difference.of(ours, llama);
        Difference reverse = Difference.of(readBack, llama);
        TABLE.put(String.format("%-10s %-5s", flan ? "flan-t5" : "t5", type), forward + "  " + reverse);
        assertTrue(forward.relative() <= tolerance(type), "llmgraph vs llama.cpp: " + forward);
        assertTrue(reverse.relative() <= tolerance(type), "read back vs llama.cpp: " + reverse);
    }

    @ParameterizedTest(name = "t5encoder, {0} matrices: hidden states")
    @MethodSource("encoderCases")
    void t5EncoderMatchesLlamaCpp(GgmlType type, @TempDir Path dir) {
        ModelSpec spec = tinyT5(false).toBuilder().buildEncoder();
        Path file = dir.resolve("tiny-t5encoder-" + type + ".gguf");
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type);
        float[] ours, readBack;
        try (Model model = Model.random(spec, WeightInit.lecun(5), options)) {
            GgufModels.write(model, file);                  // T5's encoder is written as t5encoder
            ours = model.encode(INPUT).hiddenStates();
        }
        assertEquals(spec, GgufModels.spec(file));
        try (Model model = GgufModels.load(file, options)) {
            assertEquals(spec, model.spec(), "the spec read back");
            readBack = model.encode(INPUT).hiddenStates();
        }
        float[] llama;
        try (LlamaEmbeddings reference = LlamaEmbeddings.open(file, spec.contextLength(), THREADS)) {
            llama = LlamaCppParityTest.flatten(reference.tokenEmbeddings(INPUT));
        }
        Difference forward = Difference.of(ours, llama);
        Difference reverse = Difference.of(readBack, llama);
        TABLE.put(String.format("%-10s %-5s", "t5encoder", type), forward + "  " + reverse);
        assertTrue(forward.relative() <= tolerance(type), "llmgraph vs llama.cpp: " + forward);
        assertTrue(reverse.relative() <= tolerance(type), "read back vs llama.cpp: " + reverse);
    }

    static Stream<GgmlType> encoderCases() {
        return Stream.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0);
    }

    @Test
    void whatLlamaCppsT5CannotRunIsRefusedInWords(@TempDir Path dir) {
        EncoderDecoderSpec swiglu = tinyT5(true).withFfn(Ffn.swiglu(96));
        assertEquals(java.util.List.of("a " + Ffn.swiglu(96) + " FFN (llama.cpp's t5 runs ReLU, or gated GELU in "
                + "tanh form when ffn_gate is present)"), EncoderDecoderGguf.problems(swiglu));
        EncoderDecoderSpec reach = tinyT5(false).toBuilder().relativeBias(Positional.t5Bias(32, 64)).build();
        Path file = dir.resolve("reach.gguf");
        try (EncoderDecoderModel model = EncoderDecoderModel.random(reach, 1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> EncoderDecoderGguf.write(model, file));
            assertEquals("cannot write " + file + " as llama.cpp's t5: T5 buckets reaching 64 (llama.cpp's t5 fixes "
                    + "the reach at 128)", e.getMessage());
        }
    }

    private static int[] decoderIds(EncoderDecoderSpec spec) {
        int[] ids = new int[OUTPUT.length + 1];
        ids[0] = spec.decoderStartToken();
        System.arraycopy(OUTPUT, 0, ids, 1, OUTPUT.length);
        return ids;
    }

    @AfterAll
    static void printTable() {
        System.out.println("t5, flan-t5 (decoder logits), t5encoder (hidden states): llmgraph vs llama.cpp, 24-token "
                + "input, 16 decoder positions; max |diff|, relative to max |value|; then the file read back");
        TABLE.forEach((k, v) -> System.out.println(k + "  " + v));
    }
}
