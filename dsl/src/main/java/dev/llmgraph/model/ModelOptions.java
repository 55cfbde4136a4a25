package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.Accounting;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * How a spec is compiled and run.
 *
 * @param backend    {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param threads    CPU threads (also used for the CPU part of a CUDA run)
 * @param matrixType storage type of weight matrices (F32, F16, BF16, Q8_0, Q4_0, ...); norms and biases
 *                   stay F32. A quantized type whose block does not divide a matrix's rows falls back to F16
 *                   for that matrix.
 * @param cacheType  storage type of the KV cache (F16 halves its memory; F32 is exact)
 * @param batchSize  the most tokens one graph processes; longer prompts run in chunks (a prefix decoder's
 *                   bidirectional prefix always runs as one batch); a session's sliding layers keep their window
 *                   and one batch of cache rows
 * @param contextLength KV-cache length of sessions; 0 means the spec's context length
 * @param repack     on the CPU, keep quantized weight matrices in the backend's repacking buffer type where
 *                   ggml supports it (interleaved blocks for faster matrix products: llama.cpp's default, and
 *                   what its speed on Q4_0 relies on). Off by default, because repacked weights cannot be read
 *                   back ({@link Model#weight}, exports); weights mapped from a file get repacked products
 *                   anyway ({@code repackMapped}).
 * @param placement  which layers live on devices of other processes (RPC servers); {@link Placement#local()}
 *                   keeps the whole model on {@code backend}
 * @param mapWeights on the CPU, use weights in place from the memory-mapped model file where their type and
 *                   layout allow (llama.cpp's mmap), instead of copying them into memory of their own: loading
 *                   reads the file once and the pages stay shared with the page cache. On by default; weights that
 *                   are converted (a vector stored in F16) or repacked ({@code repack}) are copied either way, and
 *                   sources that are not files (random weights) are unaffected. Turn it off to compare, or when
 *                   the file may change on disk while the model is open.
 * @param repackMapped on the CPU with {@code repack} off, a quantized matrix used in place from the mapped model
 *                   file that ggml can repack is multiplied through a repacked copy of it, while the weight itself
 *                   stays the mapped original (read back, exported, adapted): llama.cpp's speed without losing
 *                   read-back, for the copy's memory (as llama.cpp, which copies such weights into its repacking
 *                   buffer). On by default; off multiplies the file's blocks as they are.
 */
public record ModelOptions(String backend, int threads, GgmlType matrixType, GgmlType cacheType, int batchSize,
                           int contextLength, boolean repack, Placement placement, boolean mapWeights,
                           boolean repackMapped) {
    /** CPU with one thread per core, F32 weights and cache, batches of 512 tokens. */
    public static ModelOptions cpu() {
        return new ModelOptions("cpu", CpuThreads.perCore(), GgmlType.F32, GgmlType.F32, Accounting.DEFAULT_BATCH, 0,
                false, Placement.local(), true, true);
    }

    /** The first CUDA GPU, F16 weights and cache. */
    public static ModelOptions cuda() {
        return new ModelOptions("cuda", CpuThreads.perCore(), GgmlType.F16, GgmlType.F16, Accounting.DEFAULT_BATCH, 0,
                false, Placement.local(), true, true);
    }

    /** The system property that {@link #configured()} reads first. */
    public static final String BACKEND_PROPERTY = "llmgraph.backend";
    /** The environment variable that {@link #configured()} reads when the property is not set. */
    public static final String BACKEND_VARIABLE = "LLMGRAPH_BACKEND";

    /** Whether the CPU fallback has been reported: once per JVM, not once per model a notebook builds. */
    static final AtomicBoolean FALLBACK_REPORTED = new AtomicBoolean();

    /**
     * The options the backend setting asks for, so that notebooks and scripts run where the reader chose
     * without editing them: the system property {@value #BACKEND_PROPERTY}, else the environment variable
     * {@value #BACKEND_VARIABLE}; {@code cpu} (the default, also when unset or blank) gives {@link #cpu()},
     * {@code cuda} or {@code cuda:N} gives {@link #cuda()} on that GPU. Where CUDA is asked for but no GPU can
     * be used (none present, or libraries built without CUDA), this is {@link #cpu()}, and one line on stderr
     * says why, once per JVM.
     *
     * @throws IllegalArgumentException for a value that names no backend
     */
    public static ModelOptions configured() {
        return configured(System::getenv);
    }

    /** {@link #configured()} with the environment read through {@code environment} (tests pass their own). */
    static ModelOptions configured(Function<String, String> environment) {
        String backend = requestedBackend(environment);
        if (backend.equals("cpu")) {
            return cpu();
        }
        Optional<String> noCuda = Backend.cudaUnavailableReason();
        if (noCuda.isEmpty()) {
            return cuda().withBackend(backend);
        }
        if (FALLBACK_REPORTED.compareAndSet(false, true)) {
            System.err.println("llmgraph: " + settingAsWritten(environment) + " but " + noCuda.get()
                    + "; running on the CPU");
        }
        return cpu();
    }

    /**
     * The backend the setting asks for, before any fallback to the CPU: {@code cpu} (also when unset or blank),
     * {@code cuda} or {@code cuda:N}. Touches no native library and prints nothing ({@code bin/llmgraph doctor}
     * weighs it against what the machine has).
     *
     * @throws IllegalArgumentException for a value that names no backend
     */
    public static String requestedBackend() {
        return requestedBackend(System::getenv);
    }

    private static String requestedBackend(Function<String, String> environment) {
        String property = System.getProperty(BACKEND_PROPERTY);
        String value = property != null ? property : environment.apply(BACKEND_VARIABLE);
        String backend = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (backend.isEmpty() || backend.equals("cpu")) {
            return "cpu";
        }
        if (!backend.matches("cuda(:\\d+)?")) {
            throw new IllegalArgumentException(settingAsWritten(environment) + " names no backend; set it to cpu, "
                    + "cuda or cuda:N (N: the GPU's number, from 0), or leave it unset for the CPU");
        }
        return backend;
    }

    /** The setting as the messages name it: {@code llmgraph.backend=VALUE} or {@code LLMGRAPH_BACKEND=VALUE}. */
    private static String settingAsWritten(Function<String, String> environment) {
        String property = System.getProperty(BACKEND_PROPERTY);
        return property != null ? BACKEND_PROPERTY + "=" + property
                : BACKEND_VARIABLE + "=" + environment.apply(BACKEND_VARIABLE);
    }

    /**
     * The backends this machine can run, for experiments that compare them: {@code [cpu]}, or
     * {@code [cpu, cuda]} where a CUDA GPU can be used. Independent of the backend setting.
     */
    public static List<String> availableBackends() {
        return Backend.cudaAvailable() ? List.of("cpu", "cuda") : List.of("cpu");
    }

    public ModelOptions withBackend(String backend) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    public ModelOptions withThreads(int threads) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    public ModelOptions withMatrixType(GgmlType matrixType) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    public ModelOptions withCacheType(GgmlType cacheType) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    public ModelOptions withBatchSize(int batchSize) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    public ModelOptions withRepack(boolean repack) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    public ModelOptions withContextLength(int contextLength) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    /**
     * The positions a model of {@code specContext} positions runs with these options: the spec's, or
     * {@link #contextLength} where that is set and shorter. It sizes sessions' caches and picks LongRoPE's factors.
     */
    public int runContext(int specContext) {
        return contextLength > 0 ? Math.min(contextLength, specContext) : specContext;
    }

    /** The same options with weights used in place from a mapped file ({@code true}) or copied ({@code false}). */
    public ModelOptions withMapWeights(boolean mapWeights) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    /**
     * The same options with quantized matrices mapped from the model file multiplied through repacked copies
     * ({@code true}, the default) or as they are in the file ({@code false}).
     */
    public ModelOptions withRepackMapped(boolean repackMapped) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack, placement,
                mapWeights, repackMapped);
    }

    /** The same options with layers placed on RPC servers as {@code placement} says. */
    public ModelOptions withPlacement(Placement placement) {
        return new ModelOptions(backend, threads, matrixType, cacheType, batchSize, contextLength, repack,
                java.util.Objects.requireNonNull(placement, "placement; use Placement.local() for none"), mapWeights,
                repackMapped);
    }

    void validate() {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": must be at least 1");
        }
        CpuThreads.requireAtMostMax("threads", threads);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + ": must be at least 1");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength = " + contextLength + ": must be 0 (the spec's) or positive");
        }
        if (!(cacheType == GgmlType.F32 || cacheType == GgmlType.F16 || cacheType == GgmlType.BF16
                || cacheType == GgmlType.Q8_0 || cacheType == GgmlType.Q4_0)) {
            throw new IllegalArgumentException("cacheType = " + cacheType + ": the KV cache can be f32, f16, bf16, "
                    + "q8_0 or q4_0");
        }
        if (!(matrixType.isFloat() || matrixType.isQuantized())) {
            throw new IllegalArgumentException("matrixType = " + matrixType + ": weights must be a float or quantized type");
        }
    }
}
