// An encoder (BERT) next to a decoder: every token sees every token, segments, pooling, the masked-LM head,
// and llama.cpp's bert computing the same embeddings from the GGUF llmgraph writes.
// Run with: bin/llmgraph run examples/bert_embeddings.jsh

// BERT-base's choices at test size (ggml's tanh GELU, which llama.cpp's bert computes), mean pooling.
var spec = Presets.tiny(EncoderPresets.bertBaseUncased())
    .withFfn(Ffn.mlp(128, Activation.GELU_TANH))
    .withPooling(Pooling.mean());
System.out.println(spec.describe());
System.out.println(GgufReport.of(spec));

int[] tokens = {101, 7, 8, 9, 102, 10, 11, 102};        // [CLS] sentence A [SEP] sentence B [SEP]
int[] types  = {0,   0, 0, 0, 0,   1,  1,  1};
var file = java.nio.file.Files.createTempFile("tiny-bert-", ".gguf");
float[] pooled, firstState, firstStateLastChanged, firstStateOtherSegments;
try (var model = Model.random(spec, WeightInit.lecun(3), ModelOptions.cpu())) {
    var encoding = model.encode(tokens);                 // all type 0, as llama.cpp gives them
    pooled = encoding.pooled();
    firstState = encoding.hidden(0);
    int[] changed = tokens.clone();
    changed[6] = 12;                                    // a token after position 0
    firstStateLastChanged = model.encode(changed).hidden(0);
    firstStateOtherSegments = model.encode(tokens, types).hidden(0);
    GgufModels.write(model, file);
}
double moved = 0, segments = 0;
for (int i = 0; i < firstState.length; i++) {
    moved = Math.max(moved, Math.abs(firstState[i] - firstStateLastChanged[i]));
    segments = Math.max(segments, Math.abs(firstState[i] - firstStateOtherSegments[i]));
}
System.out.printf("token 0's state moves by %.3f when token 6 changes (a decoder's would not move) "
    + "and by %.3f when the second sentence is segment B%n", moved, segments);

try (var llama = dev.llmgraph.ggml.llama.LlamaEmbeddings.open(file, 64, 2)) {
    float[] theirs = llama.pooled(tokens);
    double difference = 0;
    for (int i = 0; i < pooled.length; i++) difference = Math.max(difference, Math.abs(pooled[i] - theirs[i]));
    System.out.printf("llama.cpp's bert, mean-pooled embedding: max |difference| %.2e%n", difference);
}

// BERT's masked-LM head: the logits at a position read the tokens on both sides of it.
try (var model = Model.random(spec.withMaskedLmHead(true), WeightInit.lecun(3), ModelOptions.cpu())) {
    var logits = model.forward(tokens);
    System.out.println("masked-LM logits " + logits.tokens() + " x " + logits.vocab() + ", top-3 at position 2: "
        + java.util.Arrays.toString(logits.top(2, 3)));
    try {
        model.generate(tokens, GenerationConfig.greedy(2));
    } catch (UnsupportedOperationException e) {
        System.out.println("refused: " + e.getMessage());
    }
}
