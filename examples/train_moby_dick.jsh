// Trains a tiny LLaMA-shaped model on Moby-Dick (public domain; examples/data/README.md says where the text
// comes from), writes it as a GGUF with its own BPE vocabulary, and lets it write text.
// Run with: bin/llmgraph run examples/train_moby_dick.jsh [STEPS [OUTPUT.gguf]]
// Defaults: 1500 steps (1.5 M tokens, under 3 epochs of the novel: 4 minutes at 7,000 tokens/s on 2 idle
// cores) and
// examples/models/moby-dick-tiny.gguf. The tests run it for a few steps into a temporary file.

// The repository's root: bin/llmgraph says where it is; else the current folder.
var home = Path.of(System.getProperty("llmgraph.home", "."));
var text = Files.readString(home.resolve("examples/data/moby-dick.txt"));

// A byte-level BPE of 512 tokens, trained on the same text (dev.llmgraph.tokenize).
var bpe = BpeTrainer.train(text, 512);
var data = TokenDataset.of(bpe.encode(text)).split(0.95);
System.out.printf("%,d characters -> %,d training and %,d held-out tokens%n", text.length(), data[0].size(), data[1].size());

var spec = Transformer.causalDecoder("moby-dick-tiny")
    .vocabSize(bpe.size()).dModel(128).layers(4).contextLength(128)
    .attention(Attention.grouped(4, 2))
    .positional(Positional.rope(10_000))
    .norm(Norm.rms(1e-5), NormPlacement.PRE)
    .ffn(Ffn.swiglu(344))
    .tiedEmbeddings(true)
    .build();

var config = TrainingConfig.defaults()
    .withBatch(16, 64).withSteps(ARGS.length > 0 ? Integer.parseInt(ARGS[0]) : 1500)
    .withSchedule(3e-3, 3e-4, 50)          // warm up for 50 steps to 3e-3, cosine down to 3e-4
    .withAdamW(0.9, 0.95, 1e-8, 0.1).withClipNorm(1.0)
    .withSeed(42).withEvaluation(250, 8);

var model = Model.random(spec, WeightInit.gpt2(42), ModelOptions.cpu().withMatrixType(GgmlType.F32));
try (var trainer = Trainer.of(model, config)) {
    var run = trainer.train(data[0], data[1], TrainingMonitor.every(100));
    System.out.printf("held-out loss %.3f after %d steps, %,.0f tokens/s%n",
        run.evaluations().getLast().loss(), trainer.stepsDone(), run.tokensPerSecond());
}

var file = ARGS.length > 1 ? Path.of(ARGS[1]) : home.resolve("examples/models/moby-dick-tiny.gguf");
Files.createDirectories(file.toAbsolutePath().getParent());
GgufModels.write(model, file, bpe);
System.out.println("wrote " + file + " (" + Files.size(file) / 1024 + " KiB)");

try (var writer = TextModel.of(model, TextTokenizer.of(bpe))) {
    System.out.print("Call me Ishmael.");
    writer.generate("Call me Ishmael.", GenerationConfig.of(120, Sampler.temperature(0.8).withSeed(7)),
        piece -> System.out.print(piece));
    System.out.println();
}
/exit
