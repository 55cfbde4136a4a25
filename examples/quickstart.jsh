// llmgraph quick start: declare two small models, account for them, run them on ggml.
// Run with: bin/llmgraph run examples/quickstart.jsh

// A LLaMA-style decoder: RoPE, RMSNorm before each sublayer, SwiGLU, grouped-query attention.
var llama = Transformer.causalDecoder("small-llama")
    .vocabSize(32000).dModel(512).layers(8).contextLength(2048)
    .attention(Attention.grouped(8, 2))          // 8 query heads share 2 K/V heads
    .positional(Positional.rope(10_000))
    .norm(Norm.rms(1e-5), NormPlacement.PRE)
    .ffn(Ffn.swiglu(1376))
    .tiedEmbeddings(true)
    .build();

// The same skeleton the BLOOM way: ALiBi instead of RoPE, LayerNorm, a GELU MLP, an embedding LayerNorm.
var bloom = llama.toBuilder().name("small-bloom")
    .attention(Attention.multiHead(8).withBias(true))
    .positional(Positional.alibi())
    .norm(Norm.layer(1e-5), NormPlacement.PRE)
    .ffn(Ffn.mlp(2048, Activation.GELU_TANH))
    .embeddings(Embeddings.tiedWeights().withLayerNorm(true))
    .build();

for (var spec : List.of(llama, bloom)) {
    var acc = spec.accounting();
    System.out.println(spec.describe());
    System.out.println(acc.parameters());
    System.out.printf("KV cache: %,d bytes per token (f16), %s at %d tokens%n",
        acc.kvCacheBytesPerToken(GgmlType.F16),
        MemoryEstimate.gib(acc.kvCacheBytes(spec.contextLength(), GgmlType.F16)), spec.contextLength());
    System.out.printf("forward FLOPs per token at 2048 context: %.2f GFLOP%n", acc.flopsPerToken(2048) / 1e9);
    var trace = acc.shapeTrace(6);
    System.out.println("shape trace (first block), paper order [tokens, dModel]:");
    trace.entries().stream().filter(e -> !e.name().matches(".*\\.[1-9][0-9]*$")).forEach(e -> System.out.println("  " + e));
    System.out.println();
}

// Compile both with random weights (GPT-2's initialisation, seed 42), run a forward pass and sample 20 tokens
// (temperature 0.8, seeded: the same run gives the same tokens). They run on the CPU, or on a GPU when started
// with LLMGRAPH_BACKEND=cuda.
int[] prompt = {1, 450, 4996, 17354, 1701, 432};
for (var spec : List.of(llama, bloom)) {
    try (var model = Model.random(spec, WeightInit.gpt2(42), ModelOptions.configured())) {
        var logits = model.forward(prompt);
        System.out.printf("%s: logits %d x %d, top-5 next tokens %s%n", spec.name(), logits.tokens(),
            logits.vocab(), Arrays.toString(logits.top(logits.tokens() - 1, 5)));
        var generation = model.generate(prompt, GenerationConfig.of(20, Sampler.temperature(0.8).withSeed(7)));
        System.out.printf("%s: generated %s (%s)%n  random weights: the ids mean nothing, and an untrained model "
            + "often repeats one%n  prompt %.1f tokens/s, generation %.1f tokens/s on %s "
            + "(a cold first run: the JVM compiles as it goes; bin/llmgraph bench measures warmed up)%n%n",
            spec.name(), Arrays.toString(generation.tokens()), generation.stopped(),
            generation.promptTokensPerSecond(), generation.tokensPerSecond(), model.backend());
    }
}

// Text in, text out with a model that was trained: examples/train_moby_dick.jsh trained this 0.8 M-parameter
// LLaMA and its 512-token BPE on Moby-Dick (about 15 minutes on 2 busy cores) and wrote it as a GGUF that
// llama.cpp loads too. Tiny and briefly trained: it writes Melville-like words, not Melville.
var home = Path.of(System.getProperty("llmgraph.home", "."));
try (var melville = TextModel.load(home.resolve("examples/models/moby-dick-tiny.gguf"), ModelOptions.configured())) {
    System.out.print("moby-dick-tiny: Call me Ishmael.");
    var story = melville.generate("Call me Ishmael.", GenerationConfig.of(60, Sampler.temperature(0.8).withSeed(7)),
        piece -> System.out.print(piece));
    System.out.printf("%n  (%d tokens, %s)%n", story.ids().length, story.stopped());
}
