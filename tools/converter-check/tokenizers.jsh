// llmgraph reads what Hugging Face's tokenizers library writes (run by tools/converter-check/run.sh after the library
// has loaded each tokenizer.json llmgraph wrote into CHECK_DIR/tokenizers/NAME and saved it again as
// saved-by-tokenizers.json, in its own form: merges as pairs, its own field order and defaults). Each saved file, read
// by TokenizerJson, must give the vocabulary llmgraph read from llama.cpp's GGUF (tokens, kinds, merges, rules,
// markers) and encode llama.cpp's test vectors into the ids Hugging Face gave.
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.tokenize.GgufBpe;
import java.nio.file.*;

String src = System.getenv("LLAMA_CPP_SRC");
Path folders = Path.of(System.getenv("CHECK_DIR")).resolve("tokenizers");
try (var names = Files.list(folders)) {
    for (Path folder : names.sorted().toList()) {
        String name = folder.getFileName().toString();
        Path gguf = Path.of(src, "models", "ggml-vocab-" + name + ".gguf");
        var original = GgufBpe.read(gguf);
        var saved = TokenizerJson.read(folder.resolve("saved-by-tokenizers.json"));
        boolean same = original.tokens().equals(saved.tokens()) && original.kinds().equals(saved.kinds())
            && original.merges().equals(saved.merges()) && original.rules().equals(saved.rules())
            && original.markers().equals(saved.markers());
        String[] texts = Files.readString(Path.of(gguf + ".inp")).split("\n__ggml_vocab_test__\n"); // as test-tokenizer-0
        List<String> expected = Files.readAllLines(Path.of(gguf + ".out"));
        int matches = 0;
        for (int i = 0; i < texts.length; i++) {
            String line = expected.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            matches += Arrays.equals(ids, saved.encode(texts[i])) ? 1 : 0;
        }
        System.out.printf("%-16s llmgraph on the tokenizer.json Hugging Face's tokenizers saved: the same vocabulary: "
            + "%b; %d of %d vectors%n", name, same, matches, texts.length);
    }
}
/exit
