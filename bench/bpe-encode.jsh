// Encoding speed of a published vocabulary: Moby-Dick (1.2 M characters) encoded with eight byte-level vocabularies,
// Llama 2's, Phi-3's and Gemma 4's SentencePiece-style ones and XLM-RoBERTa's Unigram (nomic-bert-moe) (llama.cpp's
// models/ggml-vocab-*.gguf) by llmgraph's Java encoders and by libllama on the same file, three times each after one
// warm-up pass, in one JVM; the ids must be the same.
//   bin/llmgraph run bench/bpe-encode.jsh
//   VOCABULARIES=gemma-4,llama-spm bin/llmgraph run bench/bpe-encode.jsh     (some of them)
// With PRE_TOKENIZERS, GPT-2's vocabulary given each named pre-tokenizer's rules instead (llama.cpp ships no vocabulary
// of most of them), written as a GGUF under its name for libllama:
//   PRE_TOKENIZERS=gpt-4o,tekken,deepseek-v3 bin/llmgraph run bench/bpe-encode.jsh
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufBpe;
import dev.llmgraph.tokenize.PreTokenizer;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.ggml.llama.LlamaCppSource;
import dev.llmgraph.ggml.llama.Tokenizer;
var examples = Files.isDirectory(Path.of("examples")) ? Path.of("examples") : Path.of("../examples");
String moby = Files.readString(examples.resolve("data/moby-dick.txt"));
double best(java.util.function.Supplier<int[]> encode) {
    encode.get();
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
        long t = System.nanoTime();
        encode.get();
        best = Math.min(best, (System.nanoTime() - t) / 1e9);
    }
    return best;
}
String chosen = System.getenv("VOCABULARIES"), preTokenizers = System.getenv("PRE_TOKENIZERS");
Path relabeled = Files.createTempDirectory("bpe-encode");
for (String name : preTokenizers != null ? List.of(preTokenizers.split(",")) : chosen != null
        ? List.of(chosen.split(",")) : List.of("llama-bpe", "qwen2", "gpt-2", "qwen35", "deepseek-llm",
        "deepseek-coder", "falcon", "command-r", "llama-spm", "phi-3", "gemma-4", "nomic-bert-moe")) {
    Path file = LlamaCppSource.directory().resolve("models/ggml-vocab-" + name + ".gguf");
    long t = System.nanoTime();
    java.util.function.Function<String, int[]> encoder;
    if (preTokenizers != null) {
        var gpt2 = GgufBpe.read(LlamaCppSource.directory().resolve("models/ggml-vocab-gpt-2.gguf"));
        var bpe = new BpeTokenizer(gpt2.tokens(), gpt2.kinds(), gpt2.merges(),
                BpeTokenizer.Rules.of(PreTokenizer.ofLlamaCppName(name)), gpt2.markers());
        file = relabeled.resolve(name + ".gguf");
        bpe.writeVocabulary(file);
        encoder = bpe::encode;
    } else if (name.equals("nomic-bert-moe")) {
        var unigram = SentencePieceUnigram.readGguf(file);
        encoder = unigram::encode;
    } else {
        var bpe = BpeVocabulary.readGguf(file);
        encoder = bpe::encode;
    }
    double reading = (System.nanoTime() - t) / 1e9;
    try (var llama = Tokenizer.open(file)) {
        int[] java = encoder.apply(moby), lib = llama.encode(moby, false, false);
        double javaSeconds = best(() -> encoder.apply(moby)), libSeconds = best(() -> llama.encode(moby, false, false));
        System.out.printf("%-14s %,d tokens, same ids: %b; Java %.2f s (%.2f MB/s), libllama %.2f s (%.2f MB/s): "
                + "%.2fx; reading the vocabulary into Java %.2f s%n", name, java.length, Arrays.equals(java, lib),
                javaSeconds, moby.length() / javaSeconds / 1e6, libSeconds, moby.length() / libSeconds / 1e6,
                libSeconds / javaSeconds, reading);
    }
}
/exit
