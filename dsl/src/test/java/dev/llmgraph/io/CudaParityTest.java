package dev.llmgraph.io;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.LlamaReference;
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
 * <p>Tolerances, relative to the reference's largest |logit|:
 * <ul>
 *   <li>llmgraph CUDA against llama.cpp CUDA: the same ops on the same kernels over the same cache length
 *       (the argument of {@link LlamaCppParityTest}), so 1e-4 for float weights and 1e-3 for quantized
 *       ones.</li>
 *   <li>llmgraph CUDA against llmgraph CPU: other kernels. F32 products run as TF32 on the GPU
 *       ({@link Gpu#TF32_TOLERANCE}); quantized products quantize activations to Q8_1 there and to Q8_0 or
 *       Q8_K on the CPU, with sums in another order: the same allowance.</li>
 * </ul>
 * The table of every difference is printed after the tests.
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
            onCuda = LlamaCppParityTest.overWholeContext(model, prompt);
        }
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS).withFlashAttention(flash).onGpu())) {
            assertEquals(spec.vocabSize(), llama.vocabSize());
            llamaCpp = LlamaCppParityTest.flatten(llama.logits(prompt));
        }

        LlamaCppParityTest.Difference engines = LlamaCppParityTest.Difference.of(onCuda, llamaCpp);
        LlamaCppParityTest.Difference backends = LlamaCppParityTest.Difference.of(onCuda, onCpu);
        TABLE.put(String.format("%-24s %-5s %-5s", label, type, flash ? "on" : "off"), engines + "  " + backends);
        double sameKernels = type == GgmlType.F32 ? 1e-4 : 1e-3;
        assertTrue(engines.relative() <= sameKernels, "llmgraph CUDA vs llama.cpp CUDA: " + engines);
        assertTrue(backends.relative() <= Gpu.TF32_TOLERANCE, "llmgraph CUDA vs llmgraph CPU: " + backends);
    }

    @AfterAll
    static void printTable() {
        if (TABLE.isEmpty()) {
            return;
        }
        System.out.println("llmgraph on CUDA, " + PROMPT + "-token prompt, F16 KV cache, error relative to max |logit|");
        System.out.println(String.format("%-36s %-20s %-20s", "", "vs llama.cpp CUDA", "vs llmgraph CPU"));
        System.out.println(String.format("%-24s %-5s %-5s", "architecture", "type", "flash")
                + "    max abs  relative    max abs  relative");
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
