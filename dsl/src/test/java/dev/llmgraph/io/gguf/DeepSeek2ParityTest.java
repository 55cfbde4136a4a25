package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
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
 * Multi-head latent attention against llama.cpp's {@code deepseek2} graph, decoding as a chat does: llmgraph
 * feeds the prompt one token at a time into its latent KV cache (each step a new graph reading every earlier
 * latent row), llama.cpp computes the prompt's logits in one batch; the two must agree at every position within
 * 1e-3 of the largest |logit|, for F32 matrices. Why not {@link LlamaCppParityTest}'s 1e-4 for F32: the
 * whole-prompt comparison there runs the same ops on the same batch and agrees to the bit (measured: 0), but one
 * token at a time the products accumulate in another order (a matrix-vector kernel instead of a matrix-matrix
 * one), about 1e-7 relative, and the F16 cache then rounds q to F16 before q.k: a value that sits on an F16
 * rounding boundary moves by one F16 step (4.9e-4 of itself). Measured: 1.2e-4 for F32. 1e-3 allows a few such
 * steps, as the Q8_0 tolerance does for its Q8 steps. The model read back from the file is decoded the same way.
 * Quantized matrices are compared over the whole prompt only ({@link LlamaCppParityTest}): one token at a time,
 * Q8_0 measured 1e-3 (V2-Lite form) and 5e-3 (the YaRN, scaled-router form): the same rounding-order differences
 * reach Q8 activations, where a value on a rounding boundary moves by a whole Q8 step (1/127 of its block's
 * largest value), and the router's scale of 2.5 carries that into the experts' weights.
 */
class DeepSeek2ParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 24;
    private static final Map<String, String> TABLE = new TreeMap<>();

    static Stream<Arguments> cases() {
        return TinyModels.all().keySet().stream().filter(label -> label.startsWith("deepseek2"))
                .flatMap(label -> Stream.of(GgmlType.F32).map(type -> Arguments.of(label, type)));
    }

    @ParameterizedTest(name = "{0} with {1} matrices, one token at a time")
    @MethodSource("cases")
    void decodingTokenByTokenMatchesLlamaCpp(String label, GgmlType type, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(TinyModels.fileName(label) + "-" + type + ".gguf");
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type)
                .withCacheType(GgmlType.F16);
        float[] built, readBack, reference;
        try (Model model = Model.random(spec, WeightInit.lecun(11), options)) {
            GgufModels.write(model, file);
            built = oneByOne(model, prompt);
        }
        try (Model model = GgufModels.load(file, options)) {
            assertEquals(TinyModels.asWritten(spec), model.spec(), "the spec read back");
            readBack = oneByOne(model, prompt);
        }
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS))) {
            reference = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        Difference forward = Difference.of(built, reference);
        Difference reverse = Difference.of(readBack, reference);
        TABLE.put(String.format("%-30s %-5s", label, type), forward + "  " + reverse);
        double tolerance = 1e-3;
        assertTrue(forward.relative() <= tolerance, "built model, token by token: " + forward);
        assertTrue(reverse.relative() <= tolerance, "model read back, token by token: " + reverse);
    }

    /** The logits of every prompt position, each computed by feeding that one token to the session. */
    static float[] oneByOne(Model model, int[] prompt) {
        try (Session session = model.session()) {
            float[] all = null;
            for (int t = 0; t < prompt.length; t++) {
                float[] logits = session.feed(prompt[t]);
                if (all == null) {
                    all = new float[prompt.length * logits.length];
                }
                System.arraycopy(logits, 0, all, t * logits.length, logits.length);
            }
            return all;
        }
    }

    @AfterAll
    static void printTable() {
        System.out.println("deepseek2 (MLA) decoded token by token vs llama.cpp's batch, " + PROMPT + " tokens");
        System.out.println(String.format("%-36s %-20s %-20s", "", "built", "read back"));
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
