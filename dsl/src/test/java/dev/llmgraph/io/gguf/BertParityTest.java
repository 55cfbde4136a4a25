package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaEmbeddings;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BERT against llama.cpp's {@code bert} graph, and its RoPE + SwiGLU variant against {@code nomic-bert}'s, on a tiny
 * random-weight model (2 layers, dModel 64, 4 heads, FFN 128,
 * 2 token types, learned positions, embedding LayerNorm, post-LN, tanh GELU), written as GGUF by llmgraph with mean,
 * CLS or last pooling: llama.cpp encodes a 40-token sequence in one batch with embeddings on, and llmgraph encodes it
 * from its own weights and from the file read back. Compared: every token's hidden state (llama.cpp's context without
 * pooling, {@code llama_get_embeddings_ith}) and the pooled vector ({@code llama_get_embeddings_seq}, the file's
 * pooling). llama.cpp gives every token type 0, so llmgraph's tokens are type 0 here. Errors are relative to
 * llama.cpp's largest |value|.
 *
 * <p>Tolerances: F32 1e-4, the same kernels on the same values (measured: hidden states, CLS and last pooling
 * bit-exact; mean pooling 1.2e-7, since llama.cpp averages with a matrix product where llmgraph sums rows and scales);
 * Q8_0 and Q4_0 1e-3: both sides read the same quantized bytes and quantize activations to Q8 the same way (measured:
 * the same as F32).
 */
class BertParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 40;
    private static final Map<String, String> TABLE = new TreeMap<>();

    static ModelSpec tinyBert(Pooling pooling) {
        return Transformer.encoder("tiny-bert").vocabSize(TinyModels.VOCAB).dModel(64).layers(2).contextLength(64)
                .attention(Attention.multiHead(4).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-12), NormPlacement.POST).finalNorm(false)
                .ffn(Ffn.mlp(128, Activation.GELU_TANH))
                .embeddings(Embeddings.untied().withLayerNorm(true).withTokenTypes(2))
                .pooling(pooling)
                .build();
    }

    /** nomic-bert's shape: RoPE (halves) instead of the position table, SwiGLU without biases, biases in attention. */
    static ModelSpec tinyNomicBert(Pooling pooling) {
        return tinyBert(pooling).toBuilder().name("tiny-nomic-bert")
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .ffn(Ffn.swiglu(96))
                .build();
    }

    static Stream<Arguments> cases() {
        Stream<Arguments> bert = Stream.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0).flatMap(type -> Stream.of(
                Arguments.of("bert", type, Pooling.mean()), Arguments.of("bert", type, Pooling.cls()),
                Arguments.of("bert", type, Pooling.last())));
        Stream<Arguments> nomic = Stream.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0).flatMap(type -> Stream.of(
                Arguments.of("nomic-bert", type, Pooling.mean()), Arguments.of("nomic-bert", type, Pooling.cls())));
        return Stream.concat(bert, nomic);
    }

    @ParameterizedTest(name = "{0} with {1} matrices, {2}: hidden states and pooled vector")
    @MethodSource("cases")
    void bertMatchesLlamaCpp(String architecture, GgmlType type, Pooling pooling, @TempDir Path dir) {
        ModelSpec spec = architecture.equals("bert") ? tinyBert(pooling) : tinyNomicBert(pooling);
        assertEquals(architecture, GgufReport.of(spec).architecture().orElseThrow());
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(spec.name() + "-" + type + ".gguf");
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type);
        Encoding ours, readBack;
        try (Model model = Model.random(spec, WeightInit.lecun(11), options)) {
            GgufModels.write(model, file);
            ours = model.encode(prompt);
        }
        try (Model model = GgufModels.load(file, options)) {
            assertEquals(spec, model.spec(), "the spec read back");
            readBack = model.encode(prompt);
        }
        float[] hidden, pooled;
        try (LlamaEmbeddings llama = LlamaEmbeddings.open(file, spec.contextLength(), THREADS)) {
            assertEquals(pooling.llamaCode(), llama.poolingType(), "llama.cpp reads the pooling type");
            hidden = LlamaCppParityTest.flatten(llama.tokenEmbeddings(prompt));
            pooled = llama.pooled(prompt);
        }
        assertNotDegenerate(hidden, spec.dModel());
        Difference tokens = Difference.of(ours.hiddenStates(), hidden);
        Difference pool = Difference.of(ours.pooled(), pooled);
        Difference reverse = Difference.of(readBack.hiddenStates(), hidden);
        Difference reversePool = Difference.of(readBack.pooled(), pooled);
        TABLE.put(String.format("%-10s %-5s %-19s", architecture, type, pooling), tokens + "  " + pool + "  " + reverse + "  "
                + reversePool);
        double tolerance = type == GgmlType.F32 ? 1e-4 : 1e-3;
        assertTrue(tokens.relative() <= tolerance, "hidden states: " + tokens);
        assertTrue(pool.relative() <= tolerance, "pooled: " + pool);
        assertTrue(reverse.relative() <= tolerance, "read back, hidden states: " + reverse);
        assertTrue(reversePool.relative() <= tolerance, "read back, pooled: " + reversePool);
    }

    @org.junit.jupiter.api.Test
    void aMaskedLmHeadOrADecoderHasNoPlaceInLlamaCppsBert() {
        GgufReport mlm = GgufReport.of(tinyBert(Pooling.cls()).withMaskedLmHead(true));
        assertEquals(false, mlm.maps());
        assertEquals(java.util.Optional.of("bert"), mlm.closest());
        assertEquals(java.util.List.of("a masked-LM head with a bert architecture (llama.cpp's bert graph has none: "
                + "its output is the hidden states and their pooled vector)"), mlm.problems());
        GgufReport encoderAsLlama = GgufReport.of(tinyBert(Pooling.cls()).toBuilder()
                .positional(Positional.rope(10_000)).norm(Norm.rms(1e-5), NormPlacement.PRE).finalNorm(true)
                .ffn(Ffn.swiglu(96)).embeddings(Embeddings.untied()).build());
        assertEquals(false, encoderAsLlama.maps());
        assertTrue(encoderAsLlama.problems().contains("an ENCODER with a llama architecture (llama.cpp's llama graph "
                + "is a decoder: causal attention and an output head)"), encoderAsLlama.problems().toString());
    }

    /** Without pooling the file says pooling type 0, reads back as Pooling.none(), and llama.cpp pools nothing. */
    @org.junit.jupiter.api.Test
    void withoutPoolingOnlyTheHiddenStatesCompare(@TempDir Path dir) {
        ModelSpec spec = tinyBert(Pooling.none());
        Path file = dir.resolve("tiny-bert-none.gguf");
        int[] prompt = TinyModels.prompt(12);
        float[] ours;
        try (Model model = Model.random(spec, WeightInit.lecun(2), ModelOptions.cpu().withThreads(THREADS))) {
            GgufModels.write(model, file);
            ours = model.encode(prompt).hiddenStates();
        }
        assertEquals(spec, GgufModels.spec(file));
        try (LlamaEmbeddings llama = LlamaEmbeddings.open(file, spec.contextLength(), THREADS)) {
            assertEquals(0, llama.poolingType());
            assertEquals(0.0, Difference.of(ours, LlamaCppParityTest.flatten(llama.tokenEmbeddings(prompt))).maxAbs());
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> llama.pooled(prompt));
            assertEquals(llama.path() + " pools with llama.cpp's pooling type 0, which gives no single vector here; "
                    + "use tokenEmbeddings, or write the model with mean, CLS or last pooling", e.getMessage());
            var range = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> llama.tokenEmbeddings(1, TinyModels.VOCAB));
            assertEquals("token id " + TinyModels.VOCAB + " at position 1 is out of range: the vocabulary of "
                    + llama.path() + " has " + TinyModels.VOCAB + " tokens (ids 0 to " + (TinyModels.VOCAB - 1) + ")",
                    range.getMessage());
        }
    }

    /** Post-LN keeps every hidden state at unit scale: each row must be finite and spread (not all equal). */
    private static void assertNotDegenerate(float[] hidden, int width) {
        for (int t = 0; t < hidden.length / width; t++) {
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (int i = 0; i < width; i++) {
                float v = hidden[t * width + i];
                assertTrue(Float.isFinite(v), "finite hidden states");
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min > 0.5, "hidden state of position " + t + " spreads by " + (max - min));
        }
    }

    @AfterAll
    static void printTable() {
        System.out.println("bert, nomic-bert: llmgraph vs llama.cpp's embeddings, " + PROMPT + "-token sequence, error relative to "
                + "max |value|");
        System.out.println(String.format("%-36s  %-20s %-20s %-20s %-20s", "", "hidden states", "pooled",
                "read back: hidden", "read back: pooled"));
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
