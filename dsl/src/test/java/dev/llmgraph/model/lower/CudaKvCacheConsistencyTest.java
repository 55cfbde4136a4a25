package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.testing.Gpu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@link KvCacheConsistencyTest} on CUDA: for every positional scheme and attention variant, decoding one
 * token at a time and in chunks of 3 gives the logits of the full forward pass, F32 weights and cache. On
 * the GPU the batch size picks the kernel (one row: a float32 matrix-vector kernel; several: TF32 tensor
 * cores through cuBLAS), so the allowance is {@link Gpu#TF32_TOLERANCE} rather than the CPU's 2e-5; a cache
 * read at the wrong position or with the wrong mask moves logits by far more.
 */
@Tag(Gpu.TAG)
class CudaKvCacheConsistencyTest {
    @BeforeEach
    void needsAGpu() {
        Gpu.assumeCuda();
    }

    static Stream<Arguments> cases() {
        return KvCacheConsistencyTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tokenByTokenAndChunkedDecodingMatchTheFullForwardOnCuda(String label, String positional, String variant,
                                                                 boolean flash) {
        ModelSpec spec = KvCacheConsistencyTest.spec(positional, variant, flash);
        int[] tokens = new SplittableRandom(label.hashCode()).ints(KvCacheConsistencyTest.TOKENS, 0, spec.vocabSize())
                .toArray();
        int prefix = spec.kind() == ArchitectureKind.PREFIX_DECODER ? KvCacheConsistencyTest.PREFIX : 0;
        float[][] full, oneByOne, chunked;
        try (Model model = Model.random(spec, WeightInit.lecun(1), Gpu.exact())) {
            full = KvCacheConsistencyTest.rows(model.forward(tokens, prefix));
            oneByOne = KvCacheConsistencyTest.incremental(model, tokens, prefix);
        }
        try (Model model = Model.random(spec, WeightInit.lecun(1), Gpu.exact().withBatchSize(3))) {
            chunked = KvCacheConsistencyTest.chunked(model, tokens, prefix);
        }
        KvCacheConsistencyTest.assertClose(full, oneByOne, Gpu.TF32_TOLERANCE, "one token at a time");
        KvCacheConsistencyTest.assertClose(full, chunked, Gpu.TF32_TOLERANCE, "chunks of 3 tokens");
    }

    static Stream<Arguments> ringCases() {
        return SlidingWindowRingTest.cases();
    }

    /** {@link SlidingWindowRingTest} on CUDA: a session's sliding layers in a ring of the window and one batch. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ringCases")
    void aRingOfTheWindowAndOneBatchDecodesAsTheFullForwardOnCuda(String label, String positional, int globalEvery,
                                                                  boolean flash) {
        ModelSpec spec = SlidingWindowRingTest.spec(SlidingWindowRingTest.positional(positional), globalEvery, flash);
        SlidingWindowRingTest.assertDecodesAsTheFullForward(spec, label, Gpu.exact(), Gpu.TF32_TOLERANCE);
    }
}
