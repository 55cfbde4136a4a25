package dev.llmgraph.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.TrainingGraph;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.train.TokenDataset;
import dev.llmgraph.train.Trainer;
import dev.llmgraph.train.TrainingConfig;
import dev.llmgraph.train.TrainingStep;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Training speed, llmgraph against PyTorch on the CPU, side by side: the same LLaMA-shaped model (same initial
 * F32 weights, exported as an HF checkpoint), the same batches, the same AdamW settings and the same thread count,
 * trained for {@code steps} steps by llmgraph's {@link Trainer} and by {@code bench/torch/train_reference.py}. The
 * engines take turns for {@code rounds} rounds (who goes first alternates); the first {@code warmup} steps of
 * every run are dropped (JIT, torch's allocator, caches) and the rest compared by their median step time.
 * llmgraph's forward pass and loss alone (no backward, no update) are timed too, to show where a step's time goes.
 */
public final class TrainingBench {
    /**
     * What to measure.
     *
     * @param steps  steps per run (each engine, each round)
     * @param warmup leading steps of each run left out of the medians
     */
    public record Settings(int dModel, int layers, int heads, int ffnDim, int vocabSize, int batch, int context,
                           int steps, int warmup, int rounds, int threads) {
        public Settings {
            positive("dModel", dModel);
            positive("layers", layers);
            positive("heads", heads);
            positive("ffnDim", ffnDim);
            positive("vocabSize", vocabSize);
            positive("batch", batch);
            positive("context", context);
            positive("rounds", rounds);
            positive("threads", threads);
            dev.llmgraph.ggml.CpuThreads.requireAtMostMax("threads", threads);
            if (warmup < 0 || steps <= warmup) {
                throw new IllegalArgumentException("steps = " + steps + " and warmup = " + warmup + ": the steps must "
                        + "outnumber the warm-up steps left out, e.g. --steps 20 --warmup 5");
            }
        }

        private static void positive(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + " = " + value + ": must be at least 1");
            }
        }

        /** dModel 256, 4 layers, 8 heads, SwiGLU 688, vocab 256, batch 8 x 128, 20 steps (5 dropped), 2 rounds. */
        public static Settings defaults(int threads) {
            return new Settings(256, 4, 8, 688, 256, 8, 128, 20, 5, 2, threads);
        }

        /** A LLaMA shape: RMSNorm, RoPE, multi-head attention, SwiGLU, untied head. */
        public ModelSpec spec() {
            return Presets.tiny(Presets.llama3_8b()).toBuilder().name("train-bench-llama").vocabSize(vocabSize)
                    .dModel(dModel).layers(layers).contextLength(context)
                    .attention(Attention.multiHead(heads).withHeadDim(dModel / heads))
                    .positional(Positional.rope(10_000)).ffn(Ffn.swiglu(ffnDim)).tiedEmbeddings(false).build();
        }

        public TrainingConfig trainingConfig() {
            return TrainingConfig.defaults().withBatch(batch, context).withSteps(steps).withSchedule(1e-3, 1e-4, 2)
                    .withAdamW(0.9, 0.95, 1e-8, 0.1).withClipNorm(1.0).withSeed(1);
        }
    }

    private TrainingBench() {}

    public static TrainingBenchReport run(Settings s, String command, PrintStream progress) {
        TorchTrainer torch = TorchTrainer.find();
        ModelSpec spec = s.spec();
        TrainingConfig config = s.trainingConfig();
        ModelOptions options = ModelOptions.cpu().withThreads(s.threads()).withMatrixType(GgmlType.F32);
        List<int[][]> batches = batches(s);
        String loadBefore = loadAverage();
        Path dir = temporaryFolder();
        try {
            Path checkpoint = dir.resolve("model");
            try (Model model = Model.random(spec, WeightInit.lecun(1), options)) {
                SafetensorsExport.write(model, checkpoint);
            }
            Path batchFile = TorchTrainer.writeBatches(dir.resolve("batches.bin"), batches);
            List<Double> llmgraph = new ArrayList<>(), pytorch = new ArrayList<>(), forward = new ArrayList<>();
            String torchVersion = "?";
            double[] ourLosses = null, torchLosses = null;
            for (int round = 1; round <= s.rounds(); round++) {
                boolean llmgraphFirst = round % 2 == 1;
                progress.printf("round %d of %d: %s%n", round, s.rounds(),
                        llmgraphFirst ? "llmgraph, then PyTorch" : "PyTorch, then llmgraph");
                for (boolean ours : List.of(llmgraphFirst, !llmgraphFirst)) {
                    if (ours) {
                        List<TrainingStep> steps = trainLlmgraph(spec, options, config, batches);
                        ourLosses = steps.stream().mapToDouble(TrainingStep::loss).toArray();
                        llmgraph.addAll(dropWarmup(steps.stream().map(st -> st.nanos() / 1e9).toList(), s.warmup()));
                        forward.addAll(dropWarmup(forwardOnly(spec, options, config, batches), s.warmup()));
                    } else {
                        JsonNode out = torch.run(torchArguments(s, config, checkpoint, batchFile),
                                dir.resolve("torch.json"), 1800);
                        torchVersion = out.get("torch").asText();
                        torchLosses = new double[s.steps()];
                        for (int i = 0; i < s.steps(); i++) {
                            torchLosses[i] = out.get("losses").get(i).asDouble();
                        }
                        List<Double> seconds = new ArrayList<>();
                        out.get("step_seconds").forEach(v -> seconds.add(v.asDouble()));
                        pytorch.addAll(dropWarmup(seconds, s.warmup()));
                    }
                }
                progress.printf("  so far: llmgraph %.1f ms, PyTorch %.1f ms per step (medians)%n",
                        1e3 * median(llmgraph), 1e3 * median(pytorch));
            }
            String load = loadBefore + " before, " + loadAverage() + " after";
            return new TrainingBenchReport(Machine.describe("cpu"), command, java.time.LocalDate.now().toString(), s,
                    spec.accounting().parameters().total(), torchVersion, largestDifference(ourLosses, torchLosses),
                    load, llmgraph, pytorch, forward);
        } finally {
            deleteRecursively(dir);
        }
    }

    /**
     * One run of {@code batches} by a fresh trainer on freshly initialised weights; each step's time is taken
     * around {@code Trainer.step}, everything the caller waits for.
     */
    private static List<TrainingStep> trainLlmgraph(ModelSpec spec, ModelOptions options, TrainingConfig config,
                                                    List<int[][]> batches) {
        List<TrainingStep> steps = new ArrayList<>();
        try (Model model = Model.random(spec, WeightInit.lecun(1), options);
             Trainer trainer = Trainer.of(model, config)) {
            for (int[][] batch : batches) {
                long t0 = System.nanoTime();
                TrainingStep step = trainer.step(batch);
                steps.add(new TrainingStep(step.step(), step.loss(), step.learningRate(), step.gradientNorm(),
                        step.tokens(), System.nanoTime() - t0));
            }
        }
        return steps;
    }

    /** max |ours - theirs| / |theirs| over the steps: both engines trained the same model the same way. */
    private static double largestDifference(double[] ours, double[] theirs) {
        double largest = 0;
        for (int i = 0; i < ours.length; i++) {
            largest = Math.max(largest, Math.abs(ours[i] - theirs[i]) / Math.abs(theirs[i]));
        }
        return largest;
    }

    /** The forward pass and loss alone on the same batches: what a step costs before its backward and update. */
    private static List<Double> forwardOnly(ModelSpec spec, ModelOptions options, TrainingConfig config,
                                            List<int[][]> batches) {
        List<Double> seconds = new ArrayList<>();
        try (Model model = Model.random(spec, WeightInit.lecun(1), options);
             TrainingGraph graph = TrainingGraph.build(model, config.batchSize(), config.context(), 0, n -> false,
                     false)) {
            for (int[][] batch : batches) {
                long t0 = System.nanoTime();
                graph.run(batch);
                seconds.add((System.nanoTime() - t0) / 1e9);
            }
        }
        return seconds;
    }

    private static List<String> torchArguments(Settings s, TrainingConfig c, Path checkpoint, Path batchFile) {
        return List.of("--model", checkpoint.toString(), "--batches", batchFile.toString(),
                "--steps", String.valueOf(s.steps()), "--batch", String.valueOf(s.batch()),
                "--context", String.valueOf(s.context()), "--lr", String.valueOf(c.learningRate()),
                "--min-lr", String.valueOf(c.minLearningRate()), "--warmup", String.valueOf(c.warmupSteps()),
                "--beta1", String.valueOf(c.beta1()), "--beta2", String.valueOf(c.beta2()),
                "--eps", String.valueOf(c.epsilon()), "--weight-decay", String.valueOf(c.weightDecay()),
                "--clip", String.valueOf(c.clipNorm()), "--threads", String.valueOf(s.threads()));
    }

    /** Training batches 1..steps of a uniformly random token stream (the speed does not depend on the text). */
    private static List<int[][]> batches(Settings s) {
        int[] ids = new SplittableRandom(1).ints(Math.max(4096, 4L * s.context()), 0, s.vocabSize()).toArray();
        TokenDataset data = TokenDataset.of(ids);
        List<int[][]> batches = new ArrayList<>();
        for (int step = 1; step <= s.steps(); step++) {
            batches.add(data.trainingBatch(1, step, s.batch(), s.context()));
        }
        return batches;
    }

    private static List<Double> dropWarmup(List<Double> seconds, int warmup) {
        return seconds.subList(warmup, seconds.size());
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * The 1-minute load average ({@code /proc/loadavg}), reported with the times: other processes on a shared
     * machine slow both engines, and OpenMP's spinning barriers suffer most when threads lose their cores.
     */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("llmgraph-train-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the checkpoint (" + e + ")", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
