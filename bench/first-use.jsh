// What a fresh JVM's first calls into ggml cost, and what the bindings cost once warm:
//   bin/llmgraph run bench/first-use.jsh [FILE.gguf]
// Prints the time of Backend.devices() (the native libraries loaded, the first functions bound), of opening FILE
// three times (GgufFile.open: the Java walk of the header) and then the mean of five more
// opens, and a tiny LLaMA's forward pass of 4 tokens once warm (best of 5 rounds of 2,000; mostly graph building,
// so the cost of each native call shows). FILE defaults to bench's TinyLlama Q4_0 (bin/llmgraph bench writes it).
var file = Path.of(ARGS.length > 0 ? ARGS[0] : System.getProperty("user.home") + "/.cache/llmgraph/bench/tinyllama-1.1b-q4_0.gguf");
long start = System.nanoTime();
Backend.devices();
double devicesMs = (System.nanoTime() - start) / 1e6;
double[] opens = new double[3];
for (int i = 0; i < 3; i++) {
    long t = System.nanoTime();
    try (var gguf = dev.llmgraph.ggml.gguf.GgufFile.open(file)) { }
    opens[i] = (System.nanoTime() - t) / 1e6;
}
long t = System.nanoTime();
for (int i = 0; i < 5; i++) {
    try (var gguf = dev.llmgraph.ggml.gguf.GgufFile.open(file)) { }
}
double warmOpen = (System.nanoTime() - t) / 5e6;
double forwardUs = Double.MAX_VALUE;
try (var model = Model.random(Presets.tiny(Presets.llama2_7b()), WeightInit.gpt2(1), ModelOptions.cpu().withThreads(1))) {
    int[] tokens = {1, 2, 3, 4};
    for (int i = 0; i < 3000; i++) model.forward(tokens);
    for (int round = 0; round < 5; round++) {
        long r = System.nanoTime();
        for (int i = 0; i < 2000; i++) model.forward(tokens);
        forwardUs = Math.min(forwardUs, (System.nanoTime() - r) / 2000e3);
    }
}
System.out.printf(Locale.ROOT, "devices() %.0f ms; open %.0f, %.0f, %.0f ms, then %.1f ms each; tiny forward %.0f us%n",
        devicesMs, opens[0], opens[1], opens[2], warmOpen, forwardUs);
