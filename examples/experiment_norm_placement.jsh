// Notebook 08, experiment 1: Post-LN, Pre-LN, Sandwich and DeepNorm at growing depth, trained with a fixed,
// aggressive learning rate and no warm-up, over several seeds. A run diverges when its loss becomes NaN or
// infinite, or when it ends (mean of its last 10 steps) above the loss of its first step. It stalls when it
// ends no lower than the unigram entropy of the training bytes (minus 0.02): the loss of a model that has
// learned the byte frequencies and nothing about context.
// Run with: bin/llmgraph run examples/experiment_norm_placement.jsh [full|quick] [OUTPUT_FOLDER]
//   full (default): depths 2, 6, 12 x 4 placements x 3 seeds, 200 steps each (about 7 minutes, one thread),
//                   written to notebooks/data/norm-placement-{runs,curves}.csv, which notebook 08 plots;
//   quick: depth 2, Pre-LN and Post-LN, one seed, 40 steps (the tests' check that it still trains).
// Data: Moby-Dick chapters 1-12 (examples/data), byte-level (256 ids). Seeds 1-4 choose both the initial
// weights (GPT-2's scheme; DeepNet's beta for DeepNorm) and the batches. One thread per model: on a busy
// machine ggml's threads otherwise wait for each other at every op.

var home = Path.of(System.getProperty("llmgraph.home", "."));
boolean quick = ARGS.length > 0 && ARGS[0].equals("quick");
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

var runs = new StringBuilder("placement,layers,seed,first_loss,final_loss,diverged,stalled,unigram_entropy,ms_per_step\n");
var curves = new StringBuilder("placement,layers,seed,step,loss\n");
long started = System.nanoTime();
for (int layers : depths) {
    for (var placement : placements) {
        for (long seed : seeds) {
            var spec = base.withLayers(layers).withPlacement(placement)
                .withName(placement.name().toLowerCase() + "-" + layers);
            try (var model = Model.random(spec, WeightInit.gpt2(seed), ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32));
                 var trainer = Trainer.of(model, config.withSeed(seed))) {
                var run = trainer.train(training, null, TrainingListener.SILENT);
                var losses = run.steps().stream().mapToDouble(TrainingStep::loss).toArray();
                double first = losses[0];
                double last = Arrays.stream(losses, Math.max(0, losses.length - 10), losses.length).average().orElse(Double.NaN);
                boolean diverged = run.diverged() || !(last <= first);
                boolean stalled = !diverged && last >= unigram - 0.02;
                double msPerStep = run.steps().stream().mapToLong(TrainingStep::nanos).average().orElse(0) / 1e6;
                runs.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%b,%b,%.4f,%.1f%n", placement, layers, seed,
                    first, last, diverged, stalled, unigram, msPerStep));
                for (var step : run.steps()) {
                    if (step.step() % 5 == 0 || step.step() == 1 || !Double.isFinite(step.loss())) {
                        curves.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.4f%n", placement, layers, seed,
                            step.step(), step.loss()));
                    }
                }
                System.out.printf(Locale.ROOT, "%-8s layers %2d seed %d: loss %.3f -> %.3f after %d steps%s%n", placement,
                    layers, seed, first, last, losses.length, diverged ? "  DIVERGED" : stalled ? "  STALLED" : "");
            }
        }
    }
}
Files.createDirectories(folder);
Files.writeString(folder.resolve("norm-placement-runs.csv"), runs);
Files.writeString(folder.resolve("norm-placement-curves.csv"), curves);
System.out.printf(Locale.ROOT, "wrote %s and norm-placement-curves.csv in %.0f s%n",
    folder.resolve("norm-placement-runs.csv"), (System.nanoTime() - started) / 1e9);
/exit
