// A Llama-3.2-1B-shaped GGUF with random weights and the real llama-bpe vocabulary, for bench/jvm-anchors.sh:
//   VOCAB=<llama.cpp source>/models/ggml-vocab-llama-bpe.gguf TYPES=q8_0,q4_0 OUTDIR=DIR bin/llmgraph run bench/write-llama32-shape.jsh
import dev.llmgraph.ggml.gguf.*;
import dev.llmgraph.tokenize.GgufVocabulary;
var vocabFile = GgufFile.open(Path.of(System.getenv("VOCAB")));
Map<String, GgufValue> keys = new LinkedHashMap<>();
vocabFile.metadata().forEach((k, v) -> { if (k.startsWith("tokenizer.")) keys.put(k, v); });
int size = ((GgufValue.StringArray) keys.get("tokenizer.ggml.tokens")).values().size();
System.out.println("vocabulary: " + size + " tokens, keys " + keys.keySet());
GgufVocabulary bpe = new GgufVocabulary() {
    public int size() { return size; }
    public void writeTo(GgufWriter out) { out.putAll(keys); }
};
// Llama-3.2-1B (meta-llama/Llama-3.2-1B config.json): hidden 2048, intermediate 8192, 16 layers, 32 heads,
// 8 KV heads, rope_theta 500000, vocab 128256, tied embeddings (rope scaling left out: llama3.java and llama.cpp
// read the file's rope keys alike).
var spec = Transformer.causalDecoder("llama-3.2-1b-shape").norm(Norm.rms(1e-5), NormPlacement.PRE)
        .vocabSize(size).dModel(2048).layers(16).contextLength(8192)
        .attention(Attention.grouped(32, 8)).positional(Positional.rope(500_000)).ffn(Ffn.swiglu(8192))
        .tiedEmbeddings(true).build();
for (String t : System.getenv("TYPES").split(",")) {
    var type = GgmlType.parse(t);
    var out = Path.of(System.getenv("OUTDIR"), "llama-3.2-1b-shape-" + t + ".gguf");
    try (var model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(2).withMatrixType(type).withRepack(false))) {
        GgufModels.write(model, out, bpe);
        System.out.println("wrote " + out + " " + Files.size(out));
    }
}
/exit
