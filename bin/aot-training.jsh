// The run bin/llmgraph trains its start-up cache from (bin/aot.sh): what a learner's first minute does, on models
// small enough that the whole run takes seconds. The JVM records the classes it loads and links and the methods
// it profiles here, and later runs start with them in place. Nothing here is printed for anyone to read.

// The DSL: a spec, its accounting and shapes, a variant of it.
var spec = Presets.tiny(Presets.llama2_7b());
var variant = spec.toBuilder().name("variant").positional(Positional.alibi()).norm(Norm.layer(1e-5), NormPlacement.PRE)
    .ffn(Ffn.mlp(64, Activation.GELU_TANH)).build();
for (var s : List.of(spec, variant)) {
    var acc = s.accounting();
    String text = s.describe() + acc.parameters() + acc.flopsPerToken(64) + acc.shapeTrace(4).entries().size();
}

// ggml through the FFM bindings: a forward pass, logits, greedy and sampled decoding, a session.
int[] prompt = {1, 2, 3, 4, 5, 6};
for (var s : List.of(spec, variant)) {
    try (var model = Model.random(s, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(2))) {
        var logits = model.forward(prompt);
        int[] top = logits.top(logits.tokens() - 1, 5);
        for (int round = 0; round < 3; round++) {
            model.generate(prompt, GenerationConfig.greedy(32));
            model.generate(prompt, GenerationConfig.of(16, Sampler.temperature(0.8).withSeed(round)));
        }
    }
}

// Text in, text out: the trained example model and its tokenizer, when the checkout or dist carries it.
var example = Path.of(System.getProperty("llmgraph.home", "."), "examples/models/moby-dick-tiny.gguf");
if (Files.isRegularFile(example)) {
    try (var text = TextModel.load(example, ModelOptions.cpu().withThreads(2))) {
        text.generate("Call me Ishmael.", GenerationConfig.greedy(24), piece -> {});
    }
}

// A quantized file loaded as a downloaded model is: mapped, its Q4_0 matrices multiplied through repacked copies.
var quantized = Files.createTempFile("llmgraph-aot-training", ".gguf");
try {
    try (var model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(2))) {
        GgufModels.write(model, quantized, GgmlType.Q4_0);
    }
    try (var model = GgufModels.load(quantized, ModelOptions.cpu().withThreads(2))) {
        model.forward(prompt);
    }
} finally {
    Files.deleteIfExists(quantized);
}

// A Jupyter kernel: one started in this JVM and played a short session over ZeroMQ (KernelRehearsal), so that a
// kernel's connection, message signing and rich display start from the cache too. A class path without the kernel
// module (a plain Java program's) has none of it.
try {
    var rehearsal = Class.forName("dev.llmgraph.kernel.KernelRehearsal").getMethod("play", List.class, String.class);
    var answers = rehearsal.invoke(null, List.of(
            "System.out.println(\"Java \" + Runtime.version() + \" on \" + System.getProperty(\"os.name\"));",
            "var spec = Presets.tiny(Presets.llama2_7b());\nspec",
            "Views.diagram(spec)",
            "try (var model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(2))) {\n"
                    + "    var logits = model.forward(1, 2, 3);\n"
                    + "    System.out.println(Arrays.toString(logits.top(logits.tokens() - 1, 5)));\n}"),
            "Presets.lla");
    var statuses = (List<?>) answers.getClass().getMethod("cellStatuses").invoke(answers);
    if (statuses.stream().anyMatch(status -> !status.equals("ok"))) {
        throw new IllegalStateException("a cell of the kernel rehearsal failed: " + statuses);
    }
} catch (ClassNotFoundException e) {
    // no kernel module on this class path
}
