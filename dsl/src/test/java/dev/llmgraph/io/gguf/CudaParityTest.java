package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.testing.Gpu;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp is the referee on the GPU too. Every architecture of {@link LlamaCppParityTest}, with F32, Q8_0
 * and Q4_0 matrices, flash attention off and on, is written to GGUF once and then run three ways on the
 * same file: by llmgraph on CUDA, by llama.cpp on CUDA (every layer and the output on the GPU, as
 * {@code -ngl 99}), and by llmgraph on the CPU. 40-token prompt, F16 KV cache on every side, caches as long
 * as the context on every side.
 *
 * <p>On the CPU the two engines agree bit for bit; on CUDA they do not, and neither does llama.cpp with
 * itself: the third column of the table, llama.cpp on CUDA against the CPU, is as large as the other two.
 * ggml-cuda rounds F32 products to TF32 and K/V products to F16, picks kernels and fuses ops by shape and
 * graph, and every such ulp-level difference before a quantized product can move an activation across a Q8
 * rounding boundary (1/127 of its block's largest value). Measured on an H200 (2026-12-04), relative to the
 * largest |logit|, over every row: F32 up to 1.5e-3 between the engines and 1.2e-3 against the CPU; Q8_0
 * and Q4_0 up to 2.2e-2 in both comparisons, and llama.cpp's own CUDA-vs-CPU distance as much. Tolerances
 * (both comparisons): 5e-3 for F32, 5e-2 for quantized matrices, about twice the worst seen; a wrong
 * wiring moves logits by 1e-1 to 1 of their scale. On CUDA, llmgraph multiplies q, k and v as one matrix in every
 * layer, whether the file stores them as one or apart ({@code CopiedStacks}).
 *
 * Decoding token by token is compared the same way ({@link #decodingOnCudaAgreesWithLlamaCppDecodingOnCuda}; the
 * table's rows marked "decode", one column: against llama.cpp on CUDA). The table of every difference is printed
 * after the tests.
 */
@Tag(Gpu.TAG)
class CudaParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 40;
    private static final Map<String, String> TABLE = new TreeMap<>();

    @BeforeEach
    void needsAGpu() {
        Gpu.assumeCuda();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String label : TinyModels.all().keySet()) {
            for (GgmlType type : List.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0)) {
                for (boolean flash : new boolean[] {false, true}) {
                    cases.add(Arguments.of(label, type, flash));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1} matrices, flash {2}")
    @MethodSource("cases")
    void llmgraphOnCudaAgreesWithLlamaCppOnCudaAndWithItselfOnTheCpu(String label, GgmlType type, boolean flash,
                                                                     @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        spec = spec.withAttention(spec.attention().withFlash(flash));
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(TinyModels.fileName(label) + "-" + type + (flash ? "-flash" : "") + ".gguf");
        ModelOptions cpu = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type).withCacheType(GgmlType.F16);
        ModelOptions cuda = ModelOptions.cuda().withThreads(THREADS).withMatrixType(type).withCacheType(GgmlType.F16);

        float[] onCpu, onCuda, llamaCpp;
        try (Model model = Model.random(spec, WeightInit.lecun(11), cpu)) {
            GgufModels.write(model, file);
            onCpu = LlamaCppParityTest.overWholeContext(model, prompt);
        }
        try (Model model = GgufModels.load(file, cuda)) {
            assertTrue(model.backend().name().startsWith("CUDA"), "llmgraph ran on " + model.backend());
            // on a GPU q, k and v are one stack in every layer, stored as one or apart (DeepSeek-V2's latent
            // attention has none): what this test checks on CUDA is that one product
            assertEquals(label.startsWith("deepseek2") ? 0 : spec.layers(), model.stackedProjectionLayers(),
                    "layers whose q, k and v are multiplied as one on CUDA");
            onCuda = LlamaCppParityTest.overWholeContext(model, prompt);
        }
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS).withFlashAttention(flash).onGpu())) {
            assertEquals(spec.vocabSize(), llama.vocabSize());
            llamaCpp = LlamaCppParityTest.flatten(llama.logits(prompt));
        }

        LlamaCppParityTest.Difference engines = LlamaCppParityTest.Difference.of(onCuda, llamaCpp);
        LlamaCppParityTest.Difference backends = LlamaCppParityTest.Difference.of(onCuda, onCpu);
        // llama.cpp's own CUDA run against the CPU (where both engines agree bit for bit): how far CUDA's kernels
        // move llama.cpp itself, the yardstick for the two columns above.
        LlamaCppParityTest.Difference llamaCppBackends = LlamaCppParityTest.Difference.of(llamaCpp, onCpu);
        TABLE.put(String.format("%-24s %-5s %-5s", label, type, flash ? "on" : "off"), engines + "  " + backends + "  "
                + llamaCppBackends);
        double tolerance = type == GgmlType.F32 ? 5e-3 : 5e-2;
        assertTrue(engines.relative() <= tolerance, "llmgraph CUDA vs llama.cpp CUDA: " + engines);
        assertTrue(backends.relative() <= tolerance, "llmgraph CUDA vs CPU: " + backends);
    }

    static Stream<Arguments> decodeCases() {
        return TinyModels.all().keySet().stream().flatMap(label -> Stream.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0)
                .map(type -> Arguments.of(label, type)));
    }

    /**
     * Decoding as a chat does on CUDA: llmgraph feeds the prompt one token at a time ({@link DecodingParityTest} on
     * the CPU, where the two engines agree bit for bit), llama.cpp decodes it with one token per graph, every layer
     * on the GPU. Same tolerances as the whole prompt: a decode step runs other kernels than a batch (matrix-vector
     * products), with the same TF32 and F16 roundings.
     */
    @ParameterizedTest(name = "{0} with {1} matrices, one token at a time")
    @MethodSource("decodeCases")
    void decodingOnCudaAgreesWithLlamaCppDecodingOnCuda(String label, GgmlType type, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(TinyModels.fileName(label) + "-" + type + ".gguf");
        ModelOptions cpu = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type).withCacheType(GgmlType.F16);
        ModelOptions cuda = ModelOptions.cuda().withThreads(THREADS).withMatrixType(type).withCacheType(GgmlType.F16);
        try (Model model = Model.random(spec, WeightInit.lecun(11), cpu)) {
            GgufModels.write(model, file);
        }
        float[] onCuda, llamaCpp;
        try (Model model = GgufModels.load(file, cuda)) {
            assertTrue(model.backend().name().startsWith("CUDA"), "llmgraph ran on " + model.backend());
            onCuda = DecodingParityTest.oneByOne(model, prompt);
        }
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS).onGpu().tokenByToken())) {
            llamaCpp = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        LlamaCppParityTest.Difference engines = LlamaCppParityTest.Difference.of(onCuda, llamaCpp);
        TABLE.put(String.format("%-24s %-5s %-5s", label, type, "decode"), engines.toString());
        double tolerance = type == GgmlType.F32 ? 5e-3 : 5e-2;
        assertTrue(engines.relative() <= tolerance, "llmgraph CUDA vs llama.cpp CUDA, token by token: " + engines);
    }

    @AfterAll
    static void printTable() {
        if (TABLE.isEmpty()) {
            return;
        }
        System.out.println("llmgraph on CUDA, " + PROMPT + "-token prompt, F16 KV cache, error relative to max |logit|");
        System.out.println(String.format("%-36s %-20s %-20s %-20s", "", "llmgraph CUDA vs", "llmgraph CUDA vs",
                "llama.cpp CUDA vs"));
        System.out.println(String.format("%-36s %-20s %-20s %-20s", "", "llama.cpp CUDA", "CPU (both engines)",
                "CPU (both engines)"));
        System.out.println(String.format("%-24s %-5s %-5s", "architecture", "type", "flash")
                + "    max abs  relative    max abs  relative    max abs  relative");
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
