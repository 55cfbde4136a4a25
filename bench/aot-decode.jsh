// Cold against warmed decode speed, for bench/aot-startup.sh: the first greedy tokens a fresh JVM generates, then
// the same after 8 warm-up runs (median of 3). Prints: cold tokens/s, warmed tokens/s.
//   bin/llmgraph run bench/aot-decode.jsh [FILE.gguf [TOKENS]]
// TOKENS (default 32): tokens generated per run. The JVM's one-off costs (the first decode graph built and run by
// code not yet compiled) weigh less in a longer run.
// Without a file: quickstart's small LLaMA (512 wide, 8 layers, random weights; a step takes ~4 ms, so the first
// call's JIT warm-up weighs heavily). With one (e.g. bench's TinyLlama Q4_0): that model, loaded from the file with
// bench's options (repacked, F16 cache), as llama.cpp would run it.
var spec = Transformer.causalDecoder("small-llama")
    .vocabSize(32000).dModel(512).layers(8).contextLength(256)
    .attention(Attention.grouped(8, 2)).positional(Positional.rope(10_000))
    .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(1376)).tiedEmbeddings(true)
    .build();
int[] prompt = {1, 450, 4996, 17354, 1701, 432};
var options = ModelOptions.cpu().withThreads(2);
var asBenchRunsIt = options.withRepack(true).withCacheType(GgmlType.F16);
int newTokens = ARGS.length > 1 ? Integer.parseInt(ARGS[1]) : 32;
try (var model = ARGS.length > 0 ? GgufModels.load(Path.of(ARGS[0]), asBenchRunsIt)
        : Model.random(spec, WeightInit.gpt2(42), options)) {
    double cold = model.generate(prompt, GenerationConfig.greedy(newTokens)).tokensPerSecond();
    for (int i = 0; i < 8; i++) model.generate(prompt, GenerationConfig.greedy(newTokens));
    double[] warm = new double[3];
    for (int i = 0; i < 3; i++) warm[i] = model.generate(prompt, GenerationConfig.greedy(newTokens)).tokensPerSecond();
    Arrays.sort(warm);
    System.out.printf("%.1f %.1f%n", cold, warm[1]);
}
