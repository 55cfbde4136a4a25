package dev.llmgraph.bench;

import dev.llmgraph.model.Model;

/**
 * Why decoding runs at the speed it does: the share of step time spent building graphs (llmgraph reuses a
 * decode graph until its padded key count grows, so this should be small), and the measured speed as a
 * fraction of the memory-bandwidth ceiling (every weight a token multiplies is read once per token).
 *
 * @param graphBuilds       graphs built during all decode repetitions
 * @param buildMsPerStep    graph-building time per decode step, in milliseconds
 * @param buildShare        building time / step time
 * @param hostShare         time outside ggml's graph computation / step time (building, inputs, logits
 *                          copy, Java): on a GPU, time the device may wait for the host
 * @param hostUsPerStep     that time per decode step, in microseconds
 * @param inputUsPerStep    the part of it spent computing and writing the step's inputs, in microseconds
 * @param weightBytes       bytes of the weights read per decoded token
 * @param rooflineTs        bandwidth / weightBytes: the ceiling in tokens per second
 * @param measuredTs        the measured tg tokens per second
 * @param stackedLayers     layers whose q, k and v are multiplied as one matrix ({@link Model#stackedProjectionLayers})
 * @param layers            the model's layers
 */
public record DecodeDiagnostics(int graphBuilds, double buildMsPerStep, double buildShare, double hostShare,
                                double hostUsPerStep, double inputUsPerStep, long weightBytes, double rooflineTs,
                                double measuredTs, int stackedLayers, int layers) {

    public static DecodeDiagnostics of(Model model, LlmgraphBench.Run run, double bandwidth) {
        var stats = run.decodeStats();
        long bytes = weightBytesPerToken(model);
        double measured = run.results().stream().filter(r -> r.test().startsWith("tg")).mapToDouble(BenchResult::avgTs)
                .findFirst().orElse(Double.NaN);
        int steps = Math.max(1, stats.steps());
        return new DecodeDiagnostics(stats.graphBuilds(), stats.buildNanos() / 1e6 / steps,
                stats.buildShare(), stats.hostShare(), (stats.stepNanos() - stats.computeNanos()) / 1e3 / steps,
                stats.inputNanos() / 1e3 / steps, bytes, Roofline.tokensPerSecond(bandwidth, bytes), measured,
                model.stackedProjectionLayers(), model.spec().layers());
    }

    /**
     * The weights a decode step reads: all of them, except that an untied model reads only one row of its
     * token embedding.
     */
    static long weightBytesPerToken(Model model) {
        long total = 0;
        for (String name : model.weightNames()) {
            if (name.equals("token_embd.weight") && !model.spec().tiedEmbeddings()) {
                continue;
            }
            total += model.weightTensor(name).byteSize();
        }
        return total;
    }

    public double rooflineFraction() {
        return measuredTs / rooflineTs;
    }

    @Override
    public String toString() {
        return String.format("decode: %d graph builds, %.3f ms building per step (%.2f%% of step time), %.1f%% of "
                        + "step time outside the graph computation (%.1f us per step, %.1f us of it writing inputs); "
                        + "q, k and v as one product in %d of %d layers; %.1f MB of weights per token, roofline %.1f "
                        + "tok/s, measured %.1f tok/s = %.0f%% of roofline",
                graphBuilds, buildMsPerStep, 100 * buildShare, 100 * hostShare, hostUsPerStep, inputUsPerStep,
                stackedLayers, layers, weightBytes / 1e6, rooflineTs, measuredTs, 100 * rooflineFraction());
    }
}
