// Notebook 08, experiment 1: Post-LN, Pre-LN, Sandwich and DeepNorm at growing depth, trained with a fixed,
// aggressive learning rate and no warm-up, over several seeds. A run diverges when its loss becomes NaN or
// infinite, or when it ends (mean of its last 10 steps) above the loss of its first step. It stalls when it
// ends no lower than the unigram entropy of the training bytes (minus 0.02): the loss of a model that has
// learned the byte frequencies and nothing about context.
// Run with: bin/llmgraph run examples/experiment_norm_placement.jsh [full|quick] [OUTPUT_FOLDER]
//   full (default): depths 2, 6, 12 x 4 placements x 3 seeds, 200 steps each (16 minutes on a busy 2-core machine),
//                   written to notebooks/data/norm-placement-{runs,curves}.csv, which notebook 08 plots;
//     then two controls at 12 layers, seed 1, written to norm-placement-controls.csv: the same learning rate
//     reached after a 50-step linear warm-up, and a gentler rate, 1e-3, without one (4 more minutes);
//   controls: the controls alone;
//   quick: depth 2, Pre-LN and Post-LN, one seed, 40 steps (the tests' check that it still trains).
// Data: Moby-Dick chapters 1-12 (examples/data), byte-level (256 ids). Seeds 1-4 choose both the initial
// weights (GPT-2's scheme; DeepNet's beta for DeepNorm) and the batches. One thread per model: on a busy
// machine ggml's threads otherwise wait for each other at every op.

var home = Path.of(System.getProperty("llmgraph.home", "."));
boolean quick = ARGS.length > 0 && ARGS[0].equals("quick");
boolean controlsOnly = ARGS.length > 0 && ARGS[0].equals("controls");
var folder = ARGS.length > 1 ? Path.of(ARGS[1]) : home.resolve("notebooks/data");
double learningRate = 3e-3;       // fixed from step 1: no warm-up, no decay, no clipping
int steps = quick ? 40 : 200;
int[] depths = quick ? new int[] {2} : new int[] {2, 6, 12};
long[] seeds = quick ? new long[] {1} : new long[] {1, 2, 3};
var placements = quick ? List.of(NormPlacement.PRE, NormPlacement.POST) : List.of(NormPlacement.values());

var text = Files.readString(home.resolve("examples/data/moby-dick-ch1-12.txt"));
var training = TokenDataset.bytes(text).split(0.9)[0];
// The unigram entropy of the training bytes, in nats: the loss of predicting each byte by its frequency alone.
var counts = new long[256];
int[][] all = training.evaluationBatch(0, 1, 1, training.size() - 1);
for (int id : all[0]) counts[id]++;
double unigram = 0;
for (long c : counts) if (c > 0) unigram -= (double) c / all[0].length * Math.log((double) c / all[0].length);
System.out.printf(Locale.ROOT, "unigram entropy of the training bytes: %.3f nats%n", unigram);

var base = Transformer.causalDecoder("placement")
    .vocabSize(256).dModel(32).layers(2).contextLength(32)
    .attention(Attention.multiHead(2))
    .positional(Positional.learned())
    .norm(Norm.layer(1e-5), NormPlacement.PRE)
    .ffn(Ffn.mlp(128, Activation.GELU_TANH))
    .build();
var config = TrainingConfig.defaults()
    .withBatch(8, 32).withSteps(steps)
    .withSchedule(learningRate, learningRate, 0)
    .withAdamW(0.9, 0.999, 1e-8, 0.0).withClipNorm(0)
    .withEvaluation(0, 1);

// Trains `spec` from seed `seed` with `config`; returns the losses of its steps (NaN where it broke down).
record Trained(double[] losses, double msPerStep) {
    double first() { return losses[0]; }
    double last() { return Arrays.stream(losses, Math.max(0, losses.length - 10), losses.length).average().orElse(Double.NaN); }
    boolean diverged() { return Arrays.stream(losses).anyMatch(l -> !Double.isFinite(l)) || !(last() <= first()); }
    boolean stalled(double unigram) { return !diverged() && last() >= unigram - 0.02; }
}
Trained train(ModelSpec spec, TrainingConfig config, long seed) {
    try (var model = Model.random(spec, WeightInit.gpt2(seed), ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32));
         var trainer = Trainer.of(model, config.withSeed(seed))) {
        var run = trainer.train(training, null, TrainingListener.SILENT);
        return new Trained(run.steps().stream().mapToDouble(TrainingStep::loss).toArray(),
            run.steps().stream().mapToLong(TrainingStep::nanos).average().orElse(0) / 1e6);
    }
}

String verdict(Trained t) {
    return t.diverged() ? "  DIVERGED" : t.stalled(unigram) ? "  STALLED" : "";
}

long started = System.nanoTime();
Files.createDirectories(folder);
if (!controlsOnly) {
    var runs = new StringBuilder("placement,layers,seed,first_loss,final_loss,diverged,stalled,unigram_entropy,ms_per_step\n");
    var curves = new StringBuilder("placement,layers,seed,step,loss\n");
    for (int layers : depths) {
        for (var placement : placements) {
            for (long seed : seeds) {
                var spec = base.withLayers(layers).withPlacement(placement).withName(placement.name().toLowerCase() + "-" + layers);
                var t = train(spec, config, seed);
                runs.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%b,%b,%.4f,%.1f%n", placement, layers, seed,
                    t.first(), t.last(), t.diverged(), t.stalled(unigram), unigram, t.msPerStep()));
                for (int step = 1; step <= t.losses().length; step++) {
                    double loss = t.losses()[step - 1];
                    if (step % 5 == 0 || step == 1 || !Double.isFinite(loss)) {
                        curves.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.4f%n", placement, layers, seed, step, loss));
                    }
                }
                System.out.printf(Locale.ROOT, "%-8s layers %2d seed %d: loss %.3f -> %.3f after %d steps%s%n", placement,
                    layers, seed, t.first(), t.last(), t.losses().length, verdict(t));
            }
        }
    }
    Files.writeString(folder.resolve("norm-placement-runs.csv"), runs);
    Files.writeString(folder.resolve("norm-placement-curves.csv"), curves);
    System.out.printf(Locale.ROOT, "wrote %s and norm-placement-curves.csv in %.0f s%n",
        folder.resolve("norm-placement-runs.csv"), (System.nanoTime() - started) / 1e9);
}
if (!quick) {
    // Is it the missing warm-up, or the rate itself? 12 layers, seed 1, each placement twice more.
    var controls = new StringBuilder("placement,layers,seed,schedule,first_loss,final_loss,diverged,stalled\n");
    var schedules = new LinkedHashMap<String, TrainingConfig>();
    schedules.put("3e-3 after a 50-step warm-up", config.withSchedule(learningRate, learningRate, 50));
    schedules.put("1e-3 from step 1", config.withSchedule(1e-3, 1e-3, 0));
    for (var schedule : schedules.entrySet()) {
        for (var placement : placements) {
            var t = train(base.withLayers(12).withPlacement(placement), schedule.getValue(), 1);
            controls.append(String.format(Locale.ROOT, "%s,12,1,%s,%.4f,%.4f,%b,%b%n", placement, schedule.getKey(),
                t.first(), t.last(), t.diverged(), t.stalled(unigram)));
            System.out.printf(Locale.ROOT, "control, %s: %-8s layers 12 seed 1: loss %.3f -> %.3f%s%n", schedule.getKey(),
                placement, t.first(), t.last(), verdict(t));
        }
    }
    Files.writeString(folder.resolve("norm-placement-controls.csv"), controls);
    System.out.printf(Locale.ROOT, "wrote %s in %.0f s%n", folder.resolve("norm-placement-controls.csv"),
        (System.nanoTime() - started) / 1e9);
}
/exit
