// Notebook 08, experiment 2: train short, test long. Five small models, identical but for their positions
// (learned, sinusoidal, RoPE, ALiBi, NoPE), are trained on 32-token windows, then evaluated on held-out text
// in windows of 32, 64, 128 and 256 tokens (1x to 8x). Then the trained RoPE model is stretched with
// position interpolation (PI), NTK-aware scaling and YaRN by the factor of each length, without and with a
// short fine-tune at that length.
// Run with: bin/llmgraph run examples/experiment_length_extrapolation.jsh [full|quick] [OUTPUT_FOLDER]
//   full (default): 600 training steps per model, fine-tunes of 60 steps (4 minutes on a busy 2-core machine),
//                   written to notebooks/data/length-extrapolation.csv and rope-scaling.csv (notebook 08);
//   quick: learned and RoPE only, 40 steps, lengths 32 and 64, one 5-step fine-tune (the tests' check).
// Data: Moby-Dick chapters 1-12 (examples/data), byte-level, 90 % training / 10 % held out. Seed 7 for the
// weights (GPT-2's scheme) and the batches; evaluation windows are fixed and evenly spaced.
//
// Two losses per length, both mean cross-entropy in nats per byte on the same windows:
//   window: over every position of the window (what the model's user sees);
//   beyond: only the positions the model never saw in training (32 and later), so the short-context part
//           of a long window cannot hide what happens past the training length.

var home = Path.of(System.getProperty("llmgraph.home", "."));
boolean quick = ARGS.length > 0 && ARGS[0].equals("quick");
var folder = ARGS.length > 1 ? Path.of(ARGS[1]) : home.resolve("notebooks/data");
int trained = 32, steps = quick ? 40 : 600, fineTuneSteps = quick ? 5 : 60;
int[] factors = quick ? new int[] {1, 2} : new int[] {1, 2, 4, 8};
long seed = 7;

var text = Files.readString(home.resolve("examples/data/moby-dick-ch1-12.txt"));
var data = TokenDataset.bytes(text).split(0.9);
var options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32);

var base = Transformer.causalDecoder("extrapolation")
    .vocabSize(256).dModel(64).layers(2).contextLength(trained * 8)
    .attention(Attention.multiHead(4))
    .norm(Norm.rms(1e-5), NormPlacement.PRE)
    .ffn(Ffn.swiglu(172))
    .build();
var config = TrainingConfig.defaults()
    .withBatch(16, trained).withSteps(steps)
    .withSchedule(3e-3, 3e-4, 20)
    .withAdamW(0.9, 0.95, 1e-8, 0.1).withClipNorm(1.0)
    .withSeed(seed).withEvaluation(0, 1);

// Held-out loss of `model` on 32 fixed windows of `length` tokens; `from` > 0 counts only positions >= from.
double heldOut(Model model, int length, int from) {
    int batches = 4, sequences = 8;
    try (var graph = TrainingGraph.build(model, sequences, length, from == 0 ? 0 : from + 1, name -> false, false)) {
        double sum = 0;
        for (int i = 0; i < batches; i++) sum += graph.run(data[1].evaluationBatch(i, batches, sequences, length));
        return sum / batches;
    }
}

// The weights of `trained`, under another spec (a stretched RoPE): the same tensors, names and shapes.
Model copy(Model trained, ModelSpec spec) {
    return Model.create(spec, (s, weight, target) -> target.setFloats(trained.weight(weight.name())), options);
}

var lengths = new StringBuilder("positional,length,factor,window_loss,beyond_loss,note\n");
var positionals = quick ? List.of(Positional.learned(), Positional.rope(10_000))
    : List.of(Positional.learned(), Positional.sinusoidal(), Positional.rope(10_000), Positional.alibi(), Positional.none());
// Short names for the CSV and the printout (a record's own text, such as RoPE's, holds commas).
String label(Positional positional) {
    return switch (positional) {
        case Positional.Learned _ -> "learned";
        case Positional.Sinusoidal _ -> "sinusoidal";
        case Positional.Rope _ -> "RoPE";
        case Positional.Alibi _ -> "ALiBi";
        case Positional.None _ -> "NoPE";
        default -> positional.toString();
    };
}
Model rope = null;
long started = System.nanoTime();
for (var positional : positionals) {
    // A learned table has one row per position of contextLength: it is trained at 32, so it holds 32 rows.
    var spec = base.withPositional(positional).withContextLength(positional instanceof Positional.Learned ? trained : trained * 8)
        .withName("extrapolation-" + label(positional).toLowerCase());
    var model = Model.random(spec, WeightInit.gpt2(seed), options);
    try (var trainer = Trainer.of(model, config)) {
        var run = trainer.train(data[0], null, TrainingListener.SILENT);
        System.out.printf(Locale.ROOT, "%-10s trained %d steps: training loss %.3f (%.0f tokens/s)%n", label(positional),
            steps, run.finalLoss(), run.tokensPerSecond());
    }
    for (int factor : factors) {
        int length = trained * factor;
        String place = String.format(Locale.ROOT, "%-10s at %3d tokens (%dx): ", label(positional), length, factor);
        try {
            double window = heldOut(model, length, 0), beyond = factor == 1 ? Double.NaN : heldOut(model, length, trained);
            lengths.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%n", label(positional), length, factor, window,
                beyond));
            System.out.printf(Locale.ROOT, "%swindow loss %.3f, beyond %d: %.3f%n", place, window, trained, beyond);
        } catch (IllegalArgumentException refused) {
            lengths.append(String.format(Locale.ROOT, "%s,%d,%d,,,\"%s\"%n", label(positional), length, factor,
                refused.getMessage().replace("\"", "'")));
            System.out.println(place + "refused: " + refused.getMessage());
        }
    }
    if (positional instanceof Positional.Rope) rope = model; else model.close();
}

// RoPE stretched by the factor of each length, then fine-tuned at that length for a few steps.
var scalings = new StringBuilder("method,factor,length,finetune_steps,window_loss,beyond_loss\n");
var ropeSpec = rope.spec();
for (int factor : factors) {
    if (factor == 1) continue;
    int length = trained * factor;
    var methods = List.<RopeScaling>of(RopeScaling.none(), RopeScaling.linear(factor), RopeScaling.ntkAware(factor),
        RopeScaling.yarn(factor, trained));
    for (var scaling : methods) {
        var spec = ropeSpec.withPositional(((Positional.Rope) ropeSpec.positional()).withScaling(scaling));
        try (var stretched = copy(rope, spec)) {
            double window = heldOut(stretched, length, 0), beyond = heldOut(stretched, length, trained);
            // A short fine-tune at the new length: the same tokens per step as pre-training, a gentle constant rate.
            var tune = config.withBatch(16 * trained / length, length).withSteps(fineTuneSteps).withSchedule(1e-3, 1e-3, 0);
            try (var tuner = Trainer.of(stretched, tune)) {
                tuner.train(data[0], null, TrainingListener.SILENT);
            }
            double tunedWindow = heldOut(stretched, length, 0), tunedBeyond = heldOut(stretched, length, trained);
            scalings.append(String.format(Locale.ROOT, "%s,%d,%d,0,%.4f,%.4f%n", scaling, factor, length, window, beyond));
            scalings.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.4f,%.4f%n", scaling, factor, length, fineTuneSteps,
                tunedWindow, tunedBeyond));
            System.out.printf(Locale.ROOT, "RoPE, %-20s at %3d tokens: beyond %d %.3f, after a %d-step fine-tune %.3f%n",
                scaling, length, trained, beyond, fineTuneSteps, tunedBeyond);
        }
    }
}
rope.close();
Files.createDirectories(folder);
Files.writeString(folder.resolve("length-extrapolation.csv"), lengths);
Files.writeString(folder.resolve("rope-scaling.csv"), scalings);
System.out.printf(Locale.ROOT, "wrote %s and rope-scaling.csv in %.0f s%n", folder.resolve("length-extrapolation.csv"),
    (System.nanoTime() - started) / 1e9);
/exit
