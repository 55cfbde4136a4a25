package dev.llmgraph.testing;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.ModelOptions;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the whole-model CUDA tests share. They carry the JUnit tag {@code gpu} (what {@code bin/llmgraph
 * check} runs on a GPU server) and, on a machine without a GPU, are reported as skipped with the reason
 * below rather than left out.
 */
public final class Gpu {
    /** The JUnit tag of tests that need a GPU to mean anything. */
    public static final String TAG = "gpu";

    /**
     * ggml-cuda sets cuBLAS to TF32 tensor-op math ({@code CUBLAS_TF32_TENSOR_OP_MATH}), so F32 matrix
     * products round their inputs to 10-bit mantissas (2^-11 = 4.9e-4 relative), where the CPU keeps float32.
     * Measured on an H200 (2026-12-04) over the 112 specs of the reference sample: up to 1.13e-2 of the
     * logits' rms against the double-precision reference (post-norm and DeepNorm blocks amplify it most);
     * 3e-2 leaves room and stays far below what a wrong wiring gives (1e-1 to 2 in ReferenceSensitivityTest).
     * The price: on CUDA the sample no longer tells apart choices closer than that, such as GELU's erf and
     * tanh forms (4e-4), which the CPU run of the same sample does.
     */
    public static final double TF32_TOLERANCE = 3e-2;

    private Gpu() {}

    /** Skips the calling test without a usable CUDA device (from a {@code @BeforeEach}: each test is listed as skipped). */
    public static void assumeCuda() {
        assumeTrue(Backend.cudaAvailable(), "no CUDA device: CUDA tests skipped");
    }

    /** The first GPU with F32 weights and cache, as the CPU tests use. */
    public static ModelOptions exact() {
        return ModelOptions.cuda().withThreads(2).withMatrixType(GgmlType.F32).withCacheType(GgmlType.F32);
    }
}
