// An encoder-decoder (T5) next to a decoder: the input is read once by a bidirectional encoder, the output is
// written by a causal decoder that attends to the input through cross-attention, and llama.cpp's t5 computes the
// same logits from the GGUF llmgraph writes.
// Run with: bin/llmgraph run examples/t5_encoder_decoder.jsh

System.out.println(EncoderDecoderPresets.t5Small().describe());
System.out.printf("parameters: t5-small %,d, t5-base %,d, flan-t5-base %,d%n",
    EncoderDecoderPresets.t5Small().parameterCount(), EncoderDecoderPresets.t5Base().parameterCount(),
    EncoderDecoderPresets.flanT5Base().parameterCount());

// T5 v1.0's choices at test size: ReLU FFN, 32 buckets reaching 128, a tied head rescaled by dModel^-0.5.
var spec = Transformer.encoderDecoder("tiny-t5").vocabSize(256).dModel(64).encoderLayers(2).decoderLayers(2)
    .heads(4).ffn(Ffn.mlp(128, Activation.RELU).withBias(false)).contextLength(64).build();
int[] input = {12, 40, 7, 99, 31, 5, 18, 77};
var file = java.nio.file.Files.createTempFile("tiny-t5-", ".gguf");
float[] forced;
int[] decoderIds = new int[7];                                 // the start token, then the 6 generated ones
try (var model = EncoderDecoderModel.random(spec, WeightInit.lecun(3), ModelOptions.cpu().withCacheType(GgmlType.F16))) {
    var encoded = model.encode(input);                        // once: [8, 64]
    try (var decoder = model.decoder(encoded)) {               // cross-attention keys and values: once
        var step = decoder.feedInspecting(new int[] {spec.decoderStartToken()}, "cross_kq_softmax.1");
        var weights = step.node("cross_kq_softmax.1");         // [heads, 1, 8]
        System.out.println("decoder step 0, layer 1, head 0 reads the input positions with weights "
            + java.util.Arrays.toString(java.util.Arrays.copyOf(weights.values(), input.length)));
        System.out.println("cross-attention cache + KV cache: " + decoder.cacheBytes() + " bytes");
    }
    var generated = model.generate(input, GenerationConfig.greedy(6));
    System.out.println("greedy output ids: " + java.util.Arrays.toString(generated.tokens()));
    forced = model.forward(input, generated.tokens()).toArray();   // teacher forcing: [7 x 256]
    decoderIds[0] = spec.decoderStartToken();
    System.arraycopy(generated.tokens(), 0, decoderIds, 1, 6);
    EncoderDecoderGguf.write(model, file);
}

try (var llama = dev.llmgraph.ggml.llama.LlamaEncoderDecoder.open(file, 64, 2)) {
    float[][] theirs = llama.logits(input, decoderIds);
    double difference = 0;
    for (int t = 0; t < theirs.length; t++)
        for (int v = 0; v < theirs[t].length; v++)
            difference = Math.max(difference, Math.abs(forced[t * theirs[t].length + v] - theirs[t][v]));
    System.out.printf("llama.cpp's t5 (llama_encode, then llama_decode), decoder logits: max |difference| %.2e%n",
        difference);
}

// The encoder stack alone is an ENCODER: it has no next token.
try (var encoderOnly = Model.random(spec.encoder(), 1)) {
    encoderOnly.session();
} catch (UnsupportedOperationException e) {
    System.out.println("refused: " + e.getMessage());
}
