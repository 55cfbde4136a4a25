// Notebook 08, experiment 3: causal LM against prefix LM. Three copies of one small model see the same
// training batches (64-token windows of Moby-Dick, byte-level) for the same number of steps:
//   causal              a causal decoder with the loss on every position (all 64 predictions of a window);
//   prefix LM           a prefix decoder (bidirectional over the first 32 tokens), loss only after them;
//   causal (prefix-LM loss)  a causal decoder with the prefix LM's loss mask: as few loss tokens, causal attention,
//                       which separates the effect of the loss tokens from that of the bidirectional prefix.
// Each is evaluated on held-out windows, on the continuation (the predictions of tokens 32 to 64, the prefix LM's
// task) and on all positions read causally (the causal LM's task).
// Run with: bin/llmgraph run examples/experiment_prefix_lm.jsh [full|quick] [OUTPUT_FOLDER]
//   full (default): 300 steps, evaluated every 25 (4 minutes on a busy 2-core machine), written to
//                   notebooks/data/prefix-lm.csv (notebook 08);
//   quick: causal and prefix LM, 30 steps (the tests' check that it still trains).
// Seed 11 for the weights (GPT-2's scheme) and the batches.

var home = Path.of(System.getProperty("llmgraph.home", "."));
boolean quick = ARGS.length > 0 && ARGS[0].equals("quick");
var folder = ARGS.length > 1 ? Path.of(ARGS[1]) : home.resolve("notebooks/data");
int context = 64, prefix = 32, batch = 16, steps = quick ? 30 : 300, evalEvery = quick ? 15 : 25;
long seed = 11;

var text = Files.readString(home.resolve("examples/data/moby-dick-ch1-12.txt"));
var data = TokenDataset.bytes(text).split(0.9);
var options = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32);

var causal = Transformer.causalDecoder("causal-lm")
    .vocabSize(256).dModel(64).layers(2).contextLength(context)
    .attention(Attention.multiHead(4))
    .positional(Positional.rope(10_000))
    .norm(Norm.rms(1e-5), NormPlacement.PRE)
    .ffn(Ffn.swiglu(172))
    .build();
var config = TrainingConfig.defaults()
    .withBatch(batch, context).withSteps(steps)
    .withSchedule(3e-3, 3e-4, 20)
    .withAdamW(0.9, 0.95, 1e-8, 0.1).withClipNorm(1.0)
    .withSeed(seed).withEvaluation(0, 1);

record Variant(String name, ModelSpec spec, int prefix) {}
var variants = new ArrayList<>(List.of(
    new Variant("causal", causal, 0),
    new Variant("prefix LM", causal.withKind(ArchitectureKind.PREFIX_DECODER).withName("prefix-lm"), prefix)));
if (!quick) variants.add(new Variant("causal (prefix-LM loss)", causal.withName("causal-late-loss"), prefix));

// Mean held-out loss of `graph` over 8 fixed batches of 8 windows.
double heldOut(TrainingGraph graph) {
    double sum = 0;
    for (int i = 0; i < 8; i++) sum += graph.run(data[1].evaluationBatch(i, 8, 8, context));
    return sum / 8;
}

var csv = new StringBuilder("variant,loss_tokens_per_batch,step,training_loss,continuation_loss,causal_loss\n");
long started = System.nanoTime();
for (var v : variants) {
    try (var model = Model.random(v.spec(), WeightInit.gpt2(seed), options);
         var trainer = Trainer.of(model, config.withPrefix(v.prefix()));
         var counting = TrainingGraph.build(model, batch, context, v.prefix(), name -> false, false);
         var continuation = TrainingGraph.build(model, 8, context, prefix, name -> false, false);
         var allPositions = TrainingGraph.build(model, 8, context, 0, name -> false, false)) {
        int lossTokens = counting.countedTokens();
        double recent = 0;
        for (int step = 1; step <= steps; step++) {
            var done = trainer.step(data[0].trainingBatch(seed, step, batch, context));
            recent = done.loss();
            if (step % evalEvery == 0) {
                double cont = heldOut(continuation), all = heldOut(allPositions);
                csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f%n", v.name(), lossTokens, step, recent,
                    cont, all));
            }
        }
        double cont = heldOut(continuation), all = heldOut(allPositions);
        System.out.printf(Locale.ROOT, "%-26s %4d loss tokens per batch of %d: after %d steps training loss %.3f, "
            + "held-out continuation %.3f, all positions causally %.3f%n", v.name(), lossTokens, batch * context, steps,
            recent, cont, all);
    }
}
Files.createDirectories(folder);
Files.writeString(folder.resolve("prefix-lm.csv"), csv);
System.out.printf(Locale.ROOT, "wrote %s in %.0f s%n", folder.resolve("prefix-lm.csv"), (System.nanoTime() - started) / 1e9);
/exit
