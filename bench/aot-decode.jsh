// Cold against warmed decode speed, for bench/aot-startup.sh: the first 32 greedy tokens a fresh JVM generates
// with quickstart's small LLaMA (512 wide, 8 layers, random weights), then the same after 8 warm-up runs
// (median of 3). Prints: cold tokens/s, warmed tokens/s.
var spec = Transformer.causalDecoder("small-llama")
    .vocabSize(32000).dModel(512).layers(8).contextLength(256)
    .attention(Attention.grouped(8, 2)).positional(Positional.rope(10_000))
    .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(1376)).tiedEmbeddings(true)
    .build();
int[] prompt = {1, 450, 4996, 17354, 1701, 432};
try (var model = Model.random(spec, WeightInit.gpt2(42), ModelOptions.cpu().withThreads(2))) {
    double cold = model.generate(prompt, GenerationConfig.greedy(32)).tokensPerSecond();
    for (int i = 0; i < 8; i++) model.generate(prompt, GenerationConfig.greedy(32));
    double[] warm = new double[3];
    for (int i = 0; i < 3; i++) warm[i] = model.generate(prompt, GenerationConfig.greedy(32)).tokensPerSecond();
    Arrays.sort(warm);
    System.out.printf("%.1f %.1f%n", cold, warm[1]);
}
