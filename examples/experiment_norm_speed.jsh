// Notebook 08, experiment 4: RMSNorm against LayerNorm in training time per step. For training, llmgraph
// builds LayerNorm from six differentiable ops (mean, subtract, square, mean, add eps and square root, divide)
// where ggml has no backward for its fused norm; RMSNorm has one (rms_norm and its backward). Two models that
// differ only in their norm train on the same batches, their steps interleaved (one RMSNorm step, one
// LayerNorm step, ...) so that a busy machine slows both alike; the median step time of each is compared,
// and so is the forward pass alone (the loss, no gradients).
// Run with: bin/llmgraph run examples/experiment_norm_speed.jsh [full|quick] [OUTPUT_FOLDER]
//   full (default): widths 64, 128 and 256, 4 layers, batch 8 x 64, 30 timed steps each after 5 untimed (4
//                   minutes on a busy 2-core machine), written to notebooks/data/norm-speed.csv (notebook 08);
//   quick: width 64, 10 timed steps (the tests' check that it still trains).
// Seed 5 for the weights and the batches. One thread: ggml's threads would otherwise wait for each other.

var home = Path.of(System.getProperty("llmgraph.home", "."));
boolean quick = ARGS.length > 0 && ARGS[0].equals("quick");
var folder = ARGS.length > 1 ? Path.of(ARGS[1]) : home.resolve("notebooks/data");
int[] widths = quick ? new int[] {64} : new int[] {64, 128, 256};
int warmup = 5, timed = quick ? 10 : 30, batch = 8, context = 64;
long seed = 5;

var text = Files.readString(home.resolve("examples/data/moby-dick-ch1-12.txt"));
var training = TokenDataset.bytes(text).split(0.9)[0];
var options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32);
var config = TrainingConfig.defaults()
    .withBatch(batch, context).withSteps(warmup + timed)
    .withSchedule(1e-3, 1e-4, 5)
    .withSeed(seed).withEvaluation(0, 1);

double median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2e6;
}

var csv = new StringBuilder("dModel,norm,phase,median_ms,final_loss\n");
long started = System.nanoTime();
for (int width : widths) {
    var rms = Transformer.causalDecoder("rmsnorm-" + width)
        .vocabSize(256).dModel(width).layers(4).contextLength(context)
        .attention(Attention.multiHead(width / 16))
        .positional(Positional.rope(10_000))
        .norm(Norm.rms(1e-5), NormPlacement.PRE)
        .ffn(Ffn.mlp(4 * width, Activation.GELU_TANH))
        .build();
    var specs = List.of(rms, rms.withNorm(Norm.layer(1e-5)).withName("layernorm-" + width));
    var models = new ArrayList<Model>();
    var trainers = new ArrayList<Trainer>();
    var forwards = new ArrayList<TrainingGraph>();
    try {
        for (var spec : specs) {
            var model = Model.random(spec, WeightInit.gpt2(seed), options);
            models.add(model);
            trainers.add(Trainer.of(model, config));
            forwards.add(TrainingGraph.build(model, batch, context, 0, name -> false, false));
        }
        long[][] stepNanos = new long[2][timed], forwardNanos = new long[2][timed];
        double[] lastLoss = new double[2];
        for (int step = 1; step <= warmup + timed; step++) {
            var input = training.trainingBatch(seed, step, batch, context);
            for (int m = 0; m < 2; m++) {
                var done = trainers.get(m).step(input);
                lastLoss[m] = done.loss();
                long t0 = System.nanoTime();
                forwards.get(m).run(input);
                long forward = System.nanoTime() - t0;
                if (step > warmup) {
                    stepNanos[m][step - warmup - 1] = done.nanos();
                    forwardNanos[m][step - warmup - 1] = forward;
                }
            }
        }
        for (int m = 0; m < 2; m++) {
            String norm = m == 0 ? "RMSNorm" : "LayerNorm";
            csv.append(String.format(Locale.ROOT, "%d,%s,training step,%.3f,%.4f%n", width, norm, median(stepNanos[m]), lastLoss[m]));
            csv.append(String.format(Locale.ROOT, "%d,%s,forward,%.3f,%.4f%n", width, norm, median(forwardNanos[m]), lastLoss[m]));
        }
        System.out.printf(Locale.ROOT, "dModel %3d: training step RMSNorm %.1f ms, LayerNorm %.1f ms (ratio %.3f); "
            + "forward %.1f ms, %.1f ms (ratio %.3f); losses after %d steps %.3f, %.3f%n", width,
            median(stepNanos[0]), median(stepNanos[1]), median(stepNanos[1]) / median(stepNanos[0]),
            median(forwardNanos[0]), median(forwardNanos[1]), median(forwardNanos[1]) / median(forwardNanos[0]),
            warmup + timed, lastLoss[0], lastLoss[1]);
    } finally {
        forwards.forEach(TrainingGraph::close);
        trainers.forEach(Trainer::close);
        models.forEach(Model::close);
    }
}
Files.createDirectories(folder);
Files.writeString(folder.resolve("norm-speed.csv"), csv);
System.out.printf(Locale.ROOT, "wrote %s in %.0f s%n", folder.resolve("norm-speed.csv"), (System.nanoTime() - started) / 1e9);
/exit
