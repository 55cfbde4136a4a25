// llmgraph and llama.cpp on the same weights: declare a model, write it as GGUF, run both, compare.
// Run with: bin/llmgraph run examples/gguf_parity.jsh

// A Qwen2-style decoder: RoPE on halves, RMSNorm, SwiGLU, GQA with biases on q, k and v.
var spec = Transformer.causalDecoder("tiny-qwen2")
    .vocabSize(300).dModel(64).layers(2).contextLength(64)
    .attention(Attention.grouped(4, 2).withBias(true, false))
    .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
    .norm(Norm.rms(1e-6), NormPlacement.PRE)
    .ffn(Ffn.swiglu(160))
    .tiedEmbeddings(true)
    .build();

// Which llama.cpp architecture computes this spec, and one variant that none does.
System.out.println(GgufReport.of(spec));
System.out.println(GgufReport.of(spec.withPlacement(NormPlacement.SANDWICH)));

int[] prompt = new int[24];
for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 97 + 13) % 300;

// llmgraph: random weights, logits, then the model written for llama.cpp. An F16 KV cache, as llama.cpp uses.
var file = java.nio.file.Files.createTempFile("tiny-qwen2-", ".gguf");
float[] ours, oursPadded;
try (var model = Model.random(spec, WeightInit.lecun(42), ModelOptions.cpu().withCacheType(GgmlType.F16))) {
    ours = model.forward(prompt).toArray();          // a KV cache as long as the prompt
    try (var session = model.session()) {            // a KV cache as long as the context
        oursPadded = session.feedAll(prompt).toArray();
    }
    System.out.printf("wrote %s (%,d bytes) as llama.cpp's '%s'%n", file, GgufModels.write(model, file),
        GgufReport.of(spec).architecture().orElseThrow());
}

// llama.cpp: its own model code on the file.
float[][] theirs;
try (var llama = dev.llmgraph.ggml.llama.LlamaReference.open(file)) {
    theirs = llama.logits(prompt);
}

double maxLogit = 0, maxDifference = 0, maxPaddedDifference = 0;
for (int t = 0; t < prompt.length; t++) {
    for (int v = 0; v < spec.vocabSize(); v++) {
        int i = t * spec.vocabSize() + v;
        maxLogit = Math.max(maxLogit, Math.abs(theirs[t][v]));
        maxDifference = Math.max(maxDifference, Math.abs(ours[i] - theirs[t][v]));
        maxPaddedDifference = Math.max(maxPaddedDifference, Math.abs(oursPadded[i] - theirs[t][v]));
    }
}
System.out.printf("llmgraph vs llama.cpp over %d positions x %d tokens (largest logit %.1f):%n", prompt.length,
    spec.vocabSize(), maxLogit);
System.out.printf("  Model.forward:         max |difference| %.2e%n", maxDifference);
System.out.printf("  session, context-long: max |difference| %.2e%n", maxPaddedDifference);
// llama.cpp reads its KV cache padded to 256 cells. With a cache as long as the prompt, ggml's softmax sees rows
// of another length and rounds their last entries differently (a few 1e-6 here); read as long as the context,
// both sides run the very same ops on the very same numbers and agree to the bit.

// Decoding as a chat does: one token per step, each step a graph of one token reading the KV cache the steps before
// wrote. Its products run as matrix-vector kernels, which sum in another order than the prompt's matrix-matrix ones,
// so a decode is not the batch to the bit. Told to decode the same way (one token per graph), llama.cpp agrees to
// the bit again.
float[] decoded = new float[prompt.length * spec.vocabSize()];
try (var back = GgufModels.load(file, ModelOptions.cpu().withCacheType(GgmlType.F16)); var session = back.session()) {
    for (int t = 0; t < prompt.length; t++) {
        System.arraycopy(session.feed(prompt[t]), 0, decoded, t * spec.vocabSize(), spec.vocabSize());
    }
}
float[][] theirsDecoded;
try (var llama = dev.llmgraph.ggml.llama.LlamaReference.open(file,
        dev.llmgraph.ggml.llama.LlamaReference.Settings.defaults().tokenByToken())) {
    theirsDecoded = llama.logits(prompt);
}
double decodeVsBatch = 0, decodeVsDecode = 0;
for (int t = 0; t < prompt.length; t++) {
    for (int v = 0; v < spec.vocabSize(); v++) {
        int i = t * spec.vocabSize() + v;
        decodeVsBatch = Math.max(decodeVsBatch, Math.abs(decoded[i] - oursPadded[i]));
        decodeVsDecode = Math.max(decodeVsDecode, Math.abs(decoded[i] - theirsDecoded[t][v]));
    }
}
System.out.printf("  decoded token by token vs llmgraph's batch:  max |difference| %.2e%n", decodeVsBatch);
System.out.printf("  decoded token by token vs llama.cpp decoding: max |difference| %.2e%n", decodeVsDecode);

// And back: the GGUF read into llmgraph gives the same spec and the same logits.
try (var back = GgufModels.load(file, ModelOptions.cpu().withCacheType(GgmlType.F16))) {
    System.out.println("read back: " + back.spec().name() + ", identical logits: "
        + java.util.Arrays.equals(ours, back.forward(prompt).toArray()));
}
java.nio.file.Files.delete(file);
