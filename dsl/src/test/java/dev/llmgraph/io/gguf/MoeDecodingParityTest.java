package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
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
 * Mixtures of experts decoded as a chat decodes them, against llama.cpp: llmgraph feeds the prompt one token at a
 * time into its KV cache (each step a graph of one token, so each expert product is {@code mul_mat_id} over a
 * single row), llama.cpp computes the prompt's logits in one batch. Tiny models of the architectures whose MoE is
 * not MLA ({@link DeepSeek2ParityTest} decodes those): Mixtral's form ({@code llama} with 4 experts, top-2,
 * renormalised), Qwen1.5-MoE's ({@code qwen2moe}: 8 experts, top-2, two shared experts behind a sigmoid gate) and
 * OLMoE's ({@code olmoe}: 8 experts, top-2, q/k norms over the whole projection).
 *
 * <p>Tolerance, relative to the largest |logit| of llama.cpp: 1e-3 for F32 matrices, 1e-2 for Q8_0. With F32
 * matrices one token at a time runs each product as a matrix-vector kernel, the batch as a matrix-matrix one:
 * the same sums in another order (about 1e-7 relative), which two layers, the F16 KV cache (a value on an F16
 * rounding boundary moves by one F16 step, 4.9e-4 of itself) and the experts' products amplify; measured 5.6e-5
 * (Mixtral's form) and 3.2e-5 (Qwen's), above {@link LlamaCppParityTest}'s 1e-4 for nothing but luck, hence
 * {@link DeepSeek2ParityTest}'s 1e-3. With Q8_0 matrices both engines quantize each activation row to Q8 with the
 * same routine and sum the blocks of a row in the same order whether one token or a batch is multiplied:
 * measured bit-equal (0) on most models and CPUs. Not for every product, though: on an AVX2-only CPU (no AVX-512),
 * Qwen2-MoE's decoding differed from the batch at 2 of 24 tokens by 2.1e-2 and 3.0e-2 (7.8e-3 of the largest
 * logit), the rest bit-equal. The difference comes and goes with the shared experts' sigmoid gate, a product with
 * one output row (without the gate, or without the shared experts: bit-equal), it stays in the last layer (later
 * tokens are bit-equal again, so no cached key or value changed), and the thread count does not move it: a batch
 * and a single token sum that row in different orders there, and where the last bits of an activation move it
 * across a Q8 rounding step, the next product's input changes by one step. Hence 1e-2 for Q8_0, above that one
 * step (7.8e-3). The routers choose with a margin ({@link LlamaCppParityTest#routersChooseWithAMargin}: at least 1e-3 between the k-th and
 * (k+1)-th score, against differences of 1e-5), so both engines pick the same experts at every token and the
 * differences stay rounding, not a whole expert's output.
 */
class MoeDecodingParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 24;
    private static final Map<String, String> TABLE = new TreeMap<>();

    static Stream<Arguments> cases() {
        return TinyModels.all().entrySet().stream()
                .filter(entry -> entry.getValue().sparse() && !entry.getValue().latentAttention())
                .flatMap(entry -> Stream.of(GgmlType.F32, GgmlType.Q8_0)
                        .map(type -> Arguments.of(entry.getKey(), type)));
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
            built = DeepSeek2ParityTest.oneByOne(model, prompt);
        }
        try (Model model = GgufModels.load(file, options)) {
            assertEquals(TinyModels.asWritten(spec), TinyModels.asWritten(model.spec()), "the spec read back");
            readBack = DeepSeek2ParityTest.oneByOne(model, prompt);
        }
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS))) {
            reference = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        Difference forward = Difference.of(built, reference);
        Difference reverse = Difference.of(readBack, reference);
        TABLE.put(String.format("%-26s %-5s", label, type), forward + "  " + reverse);
        double tolerance = type == GgmlType.Q8_0 ? 1e-2 : 1e-3;
        assertTrue(forward.relative() <= tolerance, "built model, token by token: " + forward);
        assertTrue(reverse.relative() <= tolerance, "model read back, token by token: " + reverse);
    }

    @AfterAll
    static void printTable() {
        System.out.println("MoE decoded token by token vs llama.cpp's batch, " + PROMPT
                + " tokens, error relative to max |logit|");
        System.out.println(String.format("%-32s %-20s %-20s", "", "built", "read back"));
        System.out.println(String.format("%-32s %-20s %-20s", "architecture           type", "max abs  relative",
                "max abs  relative"));
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
