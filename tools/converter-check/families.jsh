// llama.cpp's own converter on the Hugging Face checkpoints llmgraph writes (run by tools/converter-check/run.sh,
// which sets LLAMA_CPP_SRC, CHECK_DIR, PRESETS, BPE_PRESETS and the converter's PYTHONPATH). For each preset, at test
// size (Presets.tiny): llmgraph writes config.json and model.safetensors, convert_hf_to_gguf.py makes a GGUF of them,
// and llmgraph's logits on that file, llama.cpp's on it, and those of the model the checkpoint came from are compared
// over 40 tokens, each engine through a session of the model's whole context (as LlamaCppParityTest). Any config.json
// field the converter reads otherwise than llmgraph means shows as a difference in the last column. Then llmgraph's
// own converter (bin/llmgraph convert) writes a GGUF of the same folder, and llama.cpp's logits on it and libllama's
// ids for a text are compared with those on the converter's file.
//
// The other presets get a 512-piece sentencepiece tokenizer.model with byte fallback (run.sh trains it on README.md);
// llmgraph, which reads no tokenizer.model, gets the converter's vocabulary of it as a tokenizer.json.
//
// The presets of BPE_PRESETS get a published vocabulary (read from llama.cpp's ggml-vocab-*.gguf) as a tokenizer.json
// llmgraph writes: their converters accept a tokenizer only if it encodes a test text as a tokenizer they know does,
// and name its pre-tokenizer after the one they recognise. Qwen3's presets get Qwen2's vocabulary (151,936 tokens, as
// Qwen3's own), Llama 3.2 Llama 3's (128,256, in place of the sentencepiece tokenizer.model the others get), the
// rest GPT-2's (50,257); the pre-tokenizer the converter named is printed beside the expected one. First, llmgraph
// writes the tokenizer.json of each vocabulary with test vectors into CHECK_DIR/tokenizers/, where run.sh has Hugging
// Face's tokenizers library encode the vectors with them.
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.WordPieceTokenizer;
import java.nio.file.*;
import java.util.Set;

String src = System.getenv("LLAMA_CPP_SRC");
String readme = Files.readString(Path.of(System.getenv("CHECK_DIR")).resolve("train.txt")).substring(0, 3000)
    + " 大语言模型, café, 12345 🦙";
Path work = Path.of(System.getenv("CHECK_DIR"));
void writeTokenizer(BpeVocabulary bpe, String name) throws Exception {
    Path folder = Files.createDirectories(work.resolve("tokenizers").resolve(name));
    TokenizerJson.write(bpe, folder.resolve("tokenizer.json"));
    TokenizerJson.writeConfig(bpe, null, folder.resolve("tokenizer_config.json"));
}
for (String vocabulary : List.of("gpt-2", "llama-bpe", "qwen2", "starcoder", "command-r", "qwen35", "deepseek-llm",
        "deepseek-coder", "falcon", "llama-spm", "phi-3", "gemma-4")) {
    writeTokenizer(BpeVocabulary.readGguf(Path.of(src, "models", "ggml-vocab-" + vocabulary + ".gguf")), vocabulary);
}
// Gemma 4's as Gemma's own files have it: a Split at spaces after the normalizer has written every space as ▁
writeTokenizer(BpeVocabulary.readGguf(Path.of(src, "models", "ggml-vocab-gemma-4.gguf")), "gemma-4+split");
{
    Path file = work.resolve("tokenizers").resolve("gemma-4+split").resolve("tokenizer.json");
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) HfConfig.JSON.readTree(file.toFile());
    var split = json.putObject("pre_tokenizer").put("type", "Split").put("behavior", "MergedWithPrevious").put("invert", false);
    split.putObject("pattern").put("String", " ");
    HfConfig.JSON.writeValue(file.toFile(), json);
}
// every pre-tokenizer llmgraph names for llama.cpp, most without a vocabulary of llama.cpp's (GPT-4o's, Tekken, DeepSeek
// V3's, ...), on GPT-2's vocabulary: llama.cpp's generic texts and texts aimed at the expressions, Hugging Face's ids
// against llmgraph's (tokenizers.jsh)
var gpt2 = dev.llmgraph.tokenize.GgufBpe.read(Path.of(src, "models", "ggml-vocab-gpt-2.gguf"));
var preTexts = HfConfig.JSON.createArrayNode();
for (String text : Files.readString(Path.of(src, "models", "ggml-vocab-gpt-2.gguf.inp"))
        .split("\n__ggml_vocab_test__\n", -1)) if (!text.isEmpty()) preTexts.add(text);
for (String text : List.of("1234567 and 12,345,678.90; x1y22z333 我想在apple工作1314151天～ 1314151",
        "camelCaseWord HTTPServer getHTTPResponseCode iPhone McDonald's méxicoÑu aΣb ǅemal",
        "I'm sure they've said it'd work; DON'T PANIC, we'LL see. x'S 'Ve --'s",
        "DeepSeek 深度求索：日本語のひらがなと カタカナ、 漢字한국어。中文123和English",
        "path/to/file.txt https://example.com/a?b=c#d && echo $HOME | wc -l\n/g/\n",
        "tabs\there\n\nnew  lines\r\n  and   spaces \n\n\n end  \u00a0no-break\u3000x")) preTexts.add(text);
for (var pre : dev.llmgraph.tokenize.PreTokenizer.named()) {
    var bpe = new dev.llmgraph.tokenize.BpeTokenizer(gpt2.tokens(), gpt2.kinds(), gpt2.merges(),
        dev.llmgraph.tokenize.BpeTokenizer.Rules.of(pre), gpt2.markers());
    writeTokenizer(bpe, "gpt-2+" + pre.llamaCppName());
    HfConfig.JSON.writeValue(work.resolve("tokenizers").resolve("gpt-2+" + pre.llamaCppName()).resolve("texts.json")
        .toFile(), preTexts);
}
var bge = WordPieceTokenizer.readGguf(Path.of(src, "models", "ggml-vocab-bert-bge.gguf"));    // BERT's WordPiece
TokenizerJson.write(bge, Files.createDirectories(work.resolve("tokenizers").resolve("bert-bge")).resolve("tokenizer.json"));
// XLM-RoBERTa's Unigram (llama.cpp ships no vectors for it): llama.cpp's generic test texts and texts its
// precompiled NFKC rules change, in llmgraph's tokenizer.json and in the form XLM-RoBERTa's own file has
var xlmr = SentencePieceUnigram.readGguf(Path.of(src, "models", "ggml-vocab-nomic-bert-moe.gguf"));
var unigramTexts = HfConfig.JSON.createArrayNode();
for (String text : Files.readString(Path.of(src, "models", "ggml-vocab-llama-spm.gguf.inp"))
        .split("\n__ggml_vocab_test__\n", -1)) if (!text.isEmpty()) unigramTexts.add(text);
for (String text : List.of("ﬁne ﬂow", "①②③ ⑩", "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ１２３", "Å Å e\u0301 é", "ﾃﾞｰﾀ ｶﾀｶﾅ",
        "™ ½ ㎏ ㍻", "  leading,   inner   and trailing  ", "tab\tnew\nline\r\n", "\u3000\u3000x",
        "no\u00a0break\u2009thin", "Ǆemal ǅ", "𝐁𝐨𝐥𝐝 𝔉𝔯𝔞𝔨𝔱𝔲𝔯")) unigramTexts.add(text);
for (String form : List.of("nomic-bert-moe", "nomic-bert-moe+xlmr-form")) {
    Path folder = Files.createDirectories(work.resolve("tokenizers").resolve(form));
    TokenizerJson.write(xlmr, folder.resolve("tokenizer.json"));
    HfConfig.JSON.writeValue(folder.resolve("texts.json").toFile(), unigramTexts);
}
{   // XLM-RoBERTa's published form: a Replace of runs of spaces by one space, Metaspace with add_prefix_space,
    // RobertaProcessing
    Path file = work.resolve("tokenizers").resolve("nomic-bert-moe+xlmr-form").resolve("tokenizer.json");
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) HfConfig.JSON.readTree(file.toFile());
    var steps = (com.fasterxml.jackson.databind.node.ArrayNode) json.get("normalizer").get("normalizers");
    steps.remove(1);
    ((com.fasterxml.jackson.databind.node.ObjectNode) steps.get(1)).put("content", " ");
    json.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁").put("add_prefix_space", true);
    var roberta = json.putObject("post_processor").put("type", "RobertaProcessing");
    roberta.putArray("sep").add("</s>").add(2);
    roberta.putArray("cls").add("<s>").add(0);
    roberta.put("trim_offsets", true).put("add_prefix_space", true);
    HfConfig.JSON.writeValue(file.toFile(), json);
}
// Llama 2's vocabulary with the Metaspace pre-tokenizer newer files have instead of the Prepend normalizer
var llama2 = (SentencePieceBpe) BpeVocabulary.readGguf(Path.of(src, "models", "ggml-vocab-llama-spm.gguf"));
for (var prefix : List.of(SentencePieceBpe.Prefix.METASPACE_ALWAYS, SentencePieceBpe.Prefix.METASPACE_FIRST)) {
    var rules = new SentencePieceBpe.Rules(prefix, true, llama2.rules().unknown());
    writeTokenizer(new SentencePieceBpe(llama2.tokens(), llama2.kinds(), llama2.merges(), rules, llama2.markers()),
        "llama-spm+" + prefix.name().toLowerCase().replace('_', '-'));
}
Set<String> bpePresets = Set.of(System.getenv().getOrDefault("BPE_PRESETS", "").split(","));
Map<String, String> vocabularyOf = Map.of("qwen3-0.6b", "qwen2", "qwen3-30b-a3b", "qwen2", "llama-3.2-1b", "llama-bpe");
var options = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16).withRepackMapped(false);
for (String name : System.getenv("PRESETS").split(",")) {
    boolean bpe = bpePresets.contains(name);
    String vocabulary = vocabularyOf.getOrDefault(name, "gpt-2");
    int vocabSize = bpe ? TokenizerJson.read(work.resolve("tokenizers").resolve(vocabulary)).size()
        : Integer.parseInt(Files.readString(work.resolve("spm-size.txt")).strip());
    var spec = Presets.byName("tiny-" + name).withVocabSize(vocabSize);
    if (name.equals("deepseek-v2-lite")) {
        spec = spec.withLayers(26); // llama.cpp tells V2-Lite (no query LoRA, so no q_lora_rank key) by its 26 or 27 layers
    }
    Path dir = work.resolve(name);
    int[] prompt = new int[40];
    for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 97 + 13) % spec.vocabSize();
    try {
        float[] original;
        try (var model = Model.random(spec, WeightInit.lecun(5), options)) {
            SafetensorsExport.write(model, dir);
            try (var s = model.session()) { original = s.feedAll(prompt).toArray(); }
        }
        for (String file : bpe ? List.of("tokenizer.json", "tokenizer_config.json") : List.of("tokenizer.model")) {
            Files.copy((bpe ? work.resolve("tokenizers").resolve(vocabulary) : work).resolve(file), dir.resolve(file),
                StandardCopyOption.REPLACE_EXISTING);
        }
        Path gguf = work.resolve(name + ".gguf");
        var p = new ProcessBuilder("/usr/bin/python3", src + "/convert_hf_to_gguf.py", dir.toString(), "--outtype",
            "f32", "--outfile", gguf.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            System.out.println(name + ": converter failed: " + log.lines().filter(l -> l.contains("Error"))
                .reduce((a, b) -> b).orElse(log.substring(Math.max(0, log.length() - 300))));
            continue;
        }
        float[] ours;
        try (var model = GgufModels.load(gguf, options); var s = model.session()) {
            ours = s.feedAll(prompt).toArray();
        }
        float[][] ref;
        var settings = LlamaReference.Settings.defaults().withContextLength(spec.contextLength()).withThreads(2);
        try (var llama = LlamaReference.open(gguf, settings)) {
            ref = llama.logits(prompt);
        }
        int v = spec.vocabSize();
        double maxAbs = 0, maxRef = 0, maxOrig = 0, maxConverted = 0;
        for (int t = 0; t < prompt.length; t++) for (int j = 0; j < v; j++) {
            float r = ref[t][j];
            maxRef = Math.max(maxRef, Math.abs(r));
            maxAbs = Math.max(maxAbs, Math.abs(ours[t * v + j] - r));
            maxOrig = Math.max(maxOrig, Math.abs(original[t * v + j] - r));
            maxConverted = Math.max(maxConverted, Math.abs(ours[t * v + j] - original[t * v + j]));
        }
        System.out.printf("%-16s llmgraph on the converted file vs llama.cpp: %.3e, vs the original model: %.3e; the "
            + "original model vs llama.cpp: %.3e%s%n", name, maxAbs / maxRef, maxConverted / maxRef, maxOrig / maxRef,
            maxAbs == 0 && maxOrig == 0 ? "  (bit for bit)" : "");
        // llmgraph's own converter (bin/llmgraph convert) on the same folder, refereed by llama.cpp on the converter's
        // file: its logits, and its tokenizer on README.md's text. A folder with only tokenizer.model gets the
        // converter's vocabulary as the tokenizer.json llmgraph writes, since llmgraph reads no tokenizer.model.
        if (!bpe) {
            var converterVocabulary = BpeVocabulary.readGguf(gguf);
            TokenizerJson.write(converterVocabulary, dir.resolve("tokenizer.json"));
            TokenizerJson.writeConfig(converterVocabulary, null, dir.resolve("tokenizer_config.json"));
        }
        Path converted = work.resolve(name + "-llmgraph.gguf");
        var quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        if (dev.llmgraph.cli.ConvertCommand.run(new String[] {"--hf", dir.toString(), "--out", converted.toString(),
                "--threads", "2"}, quiet, System.out) != 0) {
            continue;
        }
        float[][] fromOurs;
        try (var llama = LlamaReference.open(converted, settings)) {
            fromOurs = llama.logits(prompt);
        }
        double maxOurs = 0;
        for (int t = 0; t < prompt.length; t++) for (int j = 0; j < v; j++) {
            maxOurs = Math.max(maxOurs, Math.abs(fromOurs[t][j] - ref[t][j]));
        }
        String sameIds;
        try (var theirs = Tokenizer.open(gguf); var ours2 = Tokenizer.open(converted)) {
            sameIds = "" + Arrays.equals(theirs.encode(readme, true, false), ours2.encode(readme, true, false));
        } catch (RuntimeException e) {
            sameIds = "not compared: " + e.getMessage();
        }
        System.out.printf("%-16s llama.cpp on bin/llmgraph convert's file vs on the converter's: %.3e%s; libllama's "
            + "ids for README.md's text the same: %s%n", "", maxOurs / maxRef, maxOurs == 0 ? " (bit for bit)" : "",
            sameIds);
        if (bpe) {
            try (var file = dev.llmgraph.ggml.gguf.GgufFile.open(gguf)) {
                System.out.printf("%-16s the converter took llmgraph's tokenizer.json of %s for '%s'%n", "", vocabulary,
                    file.getString("tokenizer.ggml.pre"));
            }
        }
    } catch (Exception e) {
        System.out.println(name + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
/exit
