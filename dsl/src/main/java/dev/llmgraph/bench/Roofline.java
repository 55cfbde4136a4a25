package dev.llmgraph.bench;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;

/**
 * The memory-bandwidth roofline of decoding: generating a token reads every weight once, so tokens per
 * second cannot exceed (copy bandwidth) / (weight bytes per token). The bandwidth is measured on the same
 * backend and threads with a large ggml copy, so it is what ggml's kernels can actually stream.
 */
public final class Roofline {
    private Roofline() {}

    /** Bytes per second moved (read + written) by a ggml copy of {@code megabytes} MB on {@code backend}. */
    public static double copyBandwidth(Backend backend, int megabytes) {
        long n = (long) megabytes * 1_000_000 / 4;
        try (Context ctx = Context.create(8, 8)) {
            Tensor src = ctx.newTensor(GgmlType.F32, n);
            Tensor dst = ctx.newTensor(GgmlType.F32, n);
            // Write every page first: untouched pages all map the kernel's zero page, which would make the
            // reads come from cache and the bandwidth look several times higher than it is.
            ctx.allocate(backend).clear((byte) 1);
            Graph graph = ctx.newGraph(8).expand(ctx.cpy(src, dst));
            backend.compute(graph);
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                backend.compute(graph);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * n * 4 / best;
        }
    }

    /** The decode ceiling in tokens per second for {@code weightBytesPerToken} at {@code bandwidth}. */
    public static double tokensPerSecond(double bandwidth, long weightBytesPerToken) {
        return bandwidth / weightBytesPerToken;
    }
}
