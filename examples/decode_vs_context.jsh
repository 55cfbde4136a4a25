// Notebook 06: the time of one decoded token, and the memory kept for the past, against the context already read,
// for a softmax-attention decoder and two state space models (Mamba, Mamba-2) of about the same size.
// Run with: bin/llmgraph run examples/decode_vs_context.jsh [full|quick] [OUTPUT_FOLDER]
//   full (default): contexts 128 to 16,384, written to notebooks/data/decode-vs-context.csv (notebook 06 draws it);
//   quick: contexts 128 to 1,024 (the tests' check).
// Weights: random (LeCun's scheme, seed 1); F32 matrices, an F16 KV cache as llama.cpp uses; one CPU thread, so
// that the figures do not depend on how busy the other cores are. Each point: the median of 16 decode steps.

var home = Path.of(System.getProperty("llmgraph.home", "."));
boolean quick = ARGS.length > 0 && ARGS[0].equals("quick");
var folder = ARGS.length > 1 ? Path.of(ARGS[1]) : home.resolve("notebooks/data");
int[] contexts = quick ? new int[] {128, 256, 512, 1024} : new int[] {128, 256, 512, 1024, 2048, 4096, 8192, 16384};
int steps = 16, longest = contexts[contexts.length - 1] + steps;

var softmax = Transformer.causalDecoder("softmax attention")
    .vocabSize(4096).dModel(256).layers(4).contextLength(longest)
    .attention(Attention.grouped(8, 8)).positional(Positional.rope(10_000))
    .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(704)).build();
var mamba = Transformer.causalDecoder("Mamba")
    .vocabSize(4096).dModel(256).layers(6).contextLength(longest)
    .positional(Positional.none()).norm(Norm.rms(1e-5), NormPlacement.PRE)
    .ssm(Ssm.mamba(256)).build();
var mamba2 = Transformer.causalDecoder("Mamba-2")
    .vocabSize(4096).dModel(256).layers(6).contextLength(longest)
    .positional(Positional.none()).norm(Norm.rms(1e-5), NormPlacement.PRE)
    .ssm(Mamba2.of(256)).build();

var options = ModelOptions.cpu().withThreads(1).withCacheType(GgmlType.F16);
var csv = new StringBuilder("model,parameters,context,ms_per_token,memory_bytes\n");
for (var spec : List.of(softmax, mamba, mamba2)) {
    try (var model = Model.random(spec, WeightInit.lecun(1), options)) {
        for (var p : DecodeScaling.measure(model, contexts, steps)) {
            System.out.printf("%-18s context %,6d: %.3f ms per token, %,d bytes kept%n", spec.name(), p.context(),
                p.msPerToken(), p.memoryBytes());
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%d%n", spec.name(), spec.parameterCount(),
                p.context(), p.msPerToken(), p.memoryBytes()));
        }
    }
}
Files.createDirectories(folder);
Files.writeString(folder.resolve("decode-vs-context.csv"), csv);
System.out.println("wrote " + folder.resolve("decode-vs-context.csv"));
/exit
