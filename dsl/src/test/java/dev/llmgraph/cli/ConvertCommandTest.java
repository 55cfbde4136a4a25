package dev.llmgraph.cli;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.ggml.llama.TokenizerVectors;
import dev.llmgraph.io.gguf.EncoderDecoderGguf;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.io.safetensors.T5Checkpoints;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.text.PieceListener;
import dev.llmgraph.text.TextGeneration;
import dev.llmgraph.text.TextModel;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.PreTokenizer;
import dev.llmgraph.tokenize.SentencePieceModelFile;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.UnigramTrainer;
import dev.llmgraph.tokenize.WordPieceTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph convert} both ways, each result refereed by another engine: a checkpoint folder's GGUF by
 * llama.cpp (its logits against llmgraph's on the folder, its tokenizer against the folder's tokenizer.json as
 * llmgraph encodes it, and against llama.cpp's test vectors), and a GGUF's checkpoint folder by what the GGUF itself
 * generates with libllama's tokenizer.
 */
class ConvertCommandTest {
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);
    static final String PROMPT = "The model reads text: 大语言模型, café, and 12345 tokens in a KV cache.";
    static final String USAGE = " (" + ConvertCommand.USAGE + ")\n";

    @TempDir
    static Path dir;
    /** A tiny Qwen3 of GPT-2's vocabulary (47 rows more than tokens), and a tiny Llama 2 shape of Llama 2's. */
    static Path qwen, llama;

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = ConvertCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void writeTwoCheckpoints() {
        qwen = checkpoint("tiny-qwen3-0.6b", "gpt-2", 47, "chatml");
        llama = checkpoint("tiny-tinyllama-1.1b", "llama-spm", 0, null);
    }

    private static Path checkpoint(String preset, String vocabularyName, int extraRows, String chatTemplate) {
        BpeVocabulary vocabulary = BpeVocabulary.readGguf(vocabulary(vocabularyName));
        ModelSpec spec = Presets.byName(preset).withVocabSize(vocabulary.size() + extraRows);
        Path folder = dir.resolve(preset);
        try (Model model = Model.random(spec, WeightInit.lecun(13), CPU)) {
            SafetensorsExport.write(model, folder);
        }
        TokenizerJson.write(vocabulary, folder.resolve("tokenizer.json"));
        TokenizerJson.writeConfig(vocabulary, chatTemplate, folder.resolve("tokenizer_config.json"));
        return folder;
    }

    private static Path vocabulary(String name) {
        return LlamaSource.directory().resolve("models/ggml-vocab-" + name + ".gguf");
    }

    @Test
    void aCheckpointFolderBecomesAGgufThatLlamaCppRunsAsTheFolder() throws Exception {
        Path gguf = dir.resolve("qwen.gguf");
        Run run = run("--hf", qwen.toString(), "--out", gguf.toString(), "--threads", "2");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("llmgraph convert: " + qwen + " (tiny-qwen3-0.6b) -> " + gguf + " ("), run.out());
        assertTrue(run.out().endsWith("matrices as in the checkpoint); tokenizer: byte-level BPE, 50,257 tokens, "
                + "padded to 50304 rows, chat template\n"), run.out());
        ModelSpec spec = HfConfig.read(qwen);
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 97 + 13) % spec.vocabSize();
        }
        float[] folder;   // llama.cpp's KV cache is F16, and its shim loads without repacking
        ModelOptions asLlamaCpp = CPU.withCacheType(GgmlType.F16).withRepackMapped(false);
        try (Model model = SafetensorsWeights.loadModel(qwen, asLlamaCpp); Session session = model.session()) {
            folder = session.feedAll(prompt).toArray();
        }
        float[][] llamaCpp;
        try (LlamaReference reference = LlamaReference.open(gguf, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(2))) {
            llamaCpp = reference.logits(prompt);
        }
        assertTrue(relative(folder, llamaCpp) <= 1e-4, "llmgraph on the folder against llama.cpp on the GGUF: "
                + relative(folder, llamaCpp));
        try (TextModel text = TextModel.load(qwen, CPU); Tokenizer libllama = Tokenizer.open(gguf)) {
            assertArrayEquals(text.tokenizer().encode(PROMPT, true, false), libllama.encode(PROMPT, true, false));
        }
        try (GgufFile file = GgufFile.open(gguf)) {
            assertEquals("chatml", file.getString("tokenizer.chat_template"));
            assertEquals(spec.vocabSize(), file.getStringArray("tokenizer.ggml.tokens").size());
        }
    }

    /** The largest difference, relative to the largest |logit| of llama.cpp. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double maxAbs = 0, largest = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            maxAbs = Math.max(maxAbs, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(maxAbs <= 1e-6 * largest, what + ": " + maxAbs + " of " + largest);
    }

    private static double relative(float[] ours, float[][] reference) {
        double maxAbs = 0, maxReference = 0;
        int vocab = reference[0].length;
        for (int t = 0; t < reference.length; t++) {
            for (int j = 0; j < vocab; j++) {
                maxReference = Math.max(maxReference, Math.abs(reference[t][j]));
                maxAbs = Math.max(maxAbs, Math.abs(ours[t * vocab + j] - reference[t][j]));
            }
        }
        return maxAbs / maxReference;
    }

    @Test
    void aSentencePieceCheckpointsGgufEncodesTheVectorsAsHuggingFace() {
        Path gguf = dir.resolve("llama.gguf");
        Run run = run("--hf", llama.toString(), "--out", gguf.toString(), "--type", "q8_0", "--threads", "2");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("matrices q8_0); tokenizer: SentencePiece-style BPE, 32,000 tokens\n"), run.out());
        List<String> failures = new ArrayList<>();
        try (Tokenizer libllama = Tokenizer.open(gguf)) {
            for (TokenizerVectors.Vector v : TokenizerVectors.read(vocabulary("llama-spm"))) {
                int[] ids = libllama.encode(v.input(), false, false);
                if (!Arrays.equals(v.expected(), ids)) {
                    failures.add(v.input() + ": " + Arrays.toString(ids));
                }
            }
        }
        assertEquals(List.of(), failures);
        try (GgufFile file = GgufFile.open(gguf)) {
            assertEquals(GgmlType.Q8_0, file.tensor("blk.0.attn_q.weight").type());
        }
    }

    @Test
    void aGgufBecomesACheckpointFolderThatGeneratesAsTheGguf() throws Exception {
        Path gguf = dir.resolve("qwen-for-folder.gguf");
        assertEquals(0, run("--hf", qwen.toString(), "--out", gguf.toString(), "--threads", "2").status());
        Path folder = dir.resolve("back");
        Run run = run("--gguf", gguf.toString(), "--out", folder.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("llmgraph convert: " + gguf + " (tiny-qwen3-0.6b) -> " + folder + " (2 files, "),
                run.out());
        assertTrue(run.out().endsWith("; tokenizer: byte-level BPE, 50,304 tokens, chat template\n"), run.out());
        GenerationConfig greedy = GenerationConfig.greedy(16);
        TextGeneration fromFolder, fromGguf;
        try (TextModel model = TextModel.load(folder, CPU)) {
            assertEquals(java.util.Optional.of("chatml"), model.tokenizer().chatTemplate());
            fromFolder = model.generate(PROMPT, greedy, PieceListener.NONE);
        }
        try (TextModel model = TextModel.load(gguf, CPU)) {
            fromGguf = model.generate(PROMPT, greedy, PieceListener.NONE);
        }
        assertArrayEquals(fromGguf.promptIds(), fromFolder.promptIds(), "tokenizer.json in Java against libllama");
        assertArrayEquals(fromGguf.ids(), fromFolder.ids());

        Path f16 = dir.resolve("back-f16");
        assertEquals(0, run("--gguf", gguf.toString(), "--out", f16.toString(), "--type", "f16").status());
        assertEquals("float16", HfConfig.JSON.readTree(f16.resolve("config.json").toFile()).get("torch_dtype").asText());
    }

    /** A BERT with BGE's WordPiece vocabulary: to a GGUF whose vocabulary libllama encodes as Hugging Face, and back. */
    @Test
    void aBertCheckpointsWordPieceGoesIntoItsGgufAndBack() throws Exception {
        WordPieceTokenizer bge = WordPieceTokenizer.readGguf(vocabulary("bert-bge"));
        Path folder = dir.resolve("tiny-bert");
        // llama.cpp's bert graph computes GELU in tanh form; BERT's exact GELU maps to no llama.cpp architecture
        ModelSpec bert = Presets.tiny(dev.llmgraph.presets.EncoderPresets.bertBaseUncased())
                .withFfn(dev.llmgraph.spec.Ffn.mlp(128, dev.llmgraph.spec.Activation.GELU_TANH)).withVocabSize(bge.size());
        try (Model model = Model.random(bert, WeightInit.lecun(3), CPU)) {
            SafetensorsExport.write(model, folder);
        }
        TokenizerJson.write(bge, folder.resolve("tokenizer.json"));
        Path gguf = dir.resolve("bert.gguf");
        Run run = run("--hf", folder.toString(), "--out", gguf.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("; tokenizer: WordPiece, 30,522 tokens\n"), run.out());
        List<String> failures = new ArrayList<>();
        try (Tokenizer libllama = Tokenizer.open(gguf)) {
            for (TokenizerVectors.Vector v : TokenizerVectors.read(vocabulary("bert-bge"))) {
                if (!Arrays.equals(v.expected(), libllama.encode(v.input(), false, false))) {
                    failures.add(v.input());
                }
            }
        }
        assertEquals(List.of(), failures);
        Path back = dir.resolve("bert-back");
        run = run("--gguf", gguf.toString(), "--out", back.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals(bge.tokens(), TokenizerJson.readWordPiece(back).tokens());
    }

    /** A tokenizer of a kind llmgraph does not read (T5's Unigram) leaves the file without a vocabulary, and says so. */
    /**
     * A tiny T5 checkpoint with a Unigram tokenizer.json (trained here, 5 tokens fewer than the model's rows) becomes
     * a t5 GGUF: libllama encodes with its vocabulary as Java does with the folder's tokenizer.json, and llmgraph on
     * the file gives the folder's logits within 1e-6 of the largest (T5's tied head rescaled by dModel^-0.5 is a
     * matrix in llama.cpp's form, its products rounded once more; 1 ulp measured); back to a folder, the
     * tokenizer.json is the same and the logits too.
     */
    @Test
    void aT5CheckpointAndItsUnigramGoIntoAGgufAndBack() throws Exception {
        Path trained = dir.resolve("unigram.gguf");
        UnigramTrainer.train("the small model reads the text and writes it again. ".repeat(20), 90)
                .writeVocabulary(trained);
        SentencePieceUnigram unigram = SentencePieceUnigram.readGguf(trained);
        var spec = Transformer.encoderDecoder("tiny-t5").vocabSize(unigram.size() + 5).dModel(32).encoderLayers(2)
                .decoderLayers(1).heads(4).ffn(Ffn.mlp(64, Activation.RELU).withBias(false))
                .relativeBias(Positional.t5Bias(32, 128)).contextLength(64).build();
        Path folder = dir.resolve("tiny-t5"), gguf = dir.resolve("tiny-t5.gguf"), back = dir.resolve("tiny-t5-back");
        String text = "the model writes the small text";
        int[] input = unigram.encode(text), output = {3, 9, 4};
        float[] logits;
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, WeightInit.lecun(3),
                ModelOptions.cpu().withThreads(2))) {
            T5Checkpoints.write(model, folder);
            TokenizerJson.write(unigram, folder.resolve("tokenizer.json"));
            logits = model.forward(input, output).toArray();
        }
        Run run = run("--hf", folder.toString(), "--out", gguf.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("llmgraph convert: " + folder + " (tiny-t5) -> " + gguf + " (" + String.format(java.util.Locale.ROOT,
                "%.1f MiB", Files.size(gguf) / 1048576.0) + ", weights as in the checkpoint); tokenizer: SentencePiece "
                + "Unigram, " + unigram.size() + " tokens, padded to " + spec.vocabSize() + " rows\n", run.out());
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertArrayEquals(input, llama.encode(text, false, false));
        }
        try (EncoderDecoderModel model = EncoderDecoderGguf.load(gguf, ModelOptions.cpu().withThreads(2))) {
            assertClose(logits, model.forward(input, output).toArray(), "the GGUF");
        }
        run = run("--gguf", gguf.toString(), "--out", back.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("; tokenizer: SentencePiece Unigram, " + spec.vocabSize() + " tokens\n"),
                run.out());
        SentencePieceUnigram again = TokenizerJson.readUnigram(back);
        assertEquals(unigram.tokens(), again.tokens(), "the padding left out of tokenizer.json");
        assertEquals(unigram.rules(), again.rules());
        var spiece = (SentencePieceUnigram) SentencePieceModelFile.read(back.resolve("spiece.model"));
        assertEquals(unigram.tokens(), spiece.tokens(), "and of spiece.model, which llama.cpp's converter reads");
        Files.delete(back.resolve("tokenizer.json"));   // a folder with spiece.model only converts alike
        Path again2 = dir.resolve("tiny-t5-spiece.gguf");
        run = run("--hf", back.toString(), "--out", again2.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("; tokenizer: spiece.model, SentencePiece Unigram, " + unigram.size()
                + " tokens, padded to " + spec.vocabSize() + " rows\n"), run.out());
        try (EncoderDecoderModel model = T5Checkpoints.load(back, ModelOptions.cpu().withThreads(2))) {
            assertClose(logits, model.forward(input, output).toArray(), "the folder written back");
        }
        assertEquals(new Run(1, "", "llmgraph convert: --type q8_0: a T5 checkpoint is written in its own types; drop "
                + "--type\n"), run("--hf", folder.toString(), "--out", gguf.toString(), "--type", "q8_0"));
    }

    /**
     * A T5 v1.0 file as llama.cpp's converter writes one: the tied embedding alone, no output.weight, which llama.cpp
     * (and llmgraph, reading the file as llama.cpp does) uses as the head without the dModel^-0.5 transformers applies,
     * so its logits are sqrt(dModel) times the checkpoint's. {@code convert} writes the folder as T5 v1.0, says so, and
     * the folder gives the original model's logits back (within 1e-6 of the largest); llmgraph's own file of the model
     * (the head as output.weight, rescaled) gets no note.
     */
    @Test
    void aT5V1FileAsLlamaCppWritesItBecomesTheCheckpointItWasMadeFrom() throws Exception {
        var spec = Transformer.encoderDecoder("tiny-t5-v1.0").vocabSize(40).dModel(16).encoderLayers(1)
                .decoderLayers(1).heads(2).ffn(Ffn.mlp(32, Activation.RELU).withBias(false))
                .relativeBias(Positional.t5Bias(32, 128)).contextLength(32).build();
        assertTrue(spec.tiedEmbeddings() && spec.rescaledHead(), "T5 v1.0's head is tied, and rescaled");
        Path ours = dir.resolve("v1.0-ours.gguf"), theirs = dir.resolve("v1.0-theirs.gguf"), back = dir.resolve("v1.0");
        int[] input = {5, 9, 1}, output = {0, 7};
        float[] logits;
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, WeightInit.lecun(5),
                ModelOptions.cpu().withThreads(2))) {
            EncoderDecoderGguf.write(model, ours);
            logits = model.forward(input, output).toArray();
        }
        try (GgufFile file = GgufFile.open(ours)) {   // the converter's form: no output.weight
            var writer = new dev.llmgraph.ggml.gguf.GgufWriter().putAll(file.metadata());
            file.tensors().stream().filter(t -> !t.name().equals("output.weight"))
                    .forEach(t -> writer.copyTensor(file, t.name()));
            writer.write(theirs);
        }
        float[] scaled = logits.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= (float) Math.sqrt(spec.dModel());
        }
        try (EncoderDecoderModel model = EncoderDecoderGguf.load(theirs, ModelOptions.cpu().withThreads(2))) {
            assertClose(scaled, model.forward(input, output).toArray(), "the converter's form, run as llama.cpp runs it");
        }
        Run run = run("--gguf", ours.toString(), "--out", dir.resolve("v1.0-from-ours").toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(!run.out().contains("note:"), run.out());
        run = run("--gguf", theirs.toString(), "--out", back.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("; tokenizer: none in the file; note: the file's head is its token embedding "
                + "unscaled, as llama.cpp's converter writes T5 v1.0 checkpoints (transformers scales that tied head by "
                + "dModel^-0.5): the folder is written as T5 v1.0, as the checkpoint the file was made from, and gives "
                + "the file's logits divided by 4.0 (the same greedy tokens)\n"), run.out());
        try (EncoderDecoderModel model = T5Checkpoints.load(back, ModelOptions.cpu().withThreads(2))) {
            assertTrue(model.spec().tiedEmbeddings() && model.spec().rescaledHead(), model.spec().describe());
            assertClose(logits, model.forward(input, output).toArray(), "the folder written back");
        }
    }

    /**
     * A tokenizer.json whose pre-tokenizer llama.cpp has no name for is refused before the weights load, and no file
     * is written: llama.cpp would cut its text into other words.
     */
    @Test
    void aPreTokenizerLlamaCppCannotNameIsRefusedBeforeTheWeights() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("unnamed-rules"));
        Files.copy(qwen.resolve("config.json"), folder.resolve("config.json"));
        Files.writeString(folder.resolve("model.safetensors"), "not read");    // refused before the weights
        BpeTokenizer gpt2 = (BpeTokenizer) BpeVocabulary.readGguf(vocabulary("gpt-2"));
        TokenizerJson.write(new BpeTokenizer(gpt2.tokens(), gpt2.kinds(), gpt2.merges(), new BpeTokenizer.Rules(
                PreTokenizer.of(List.of("\\p{L}+|[^\\p{L}]+")), false, false), gpt2.markers()),
                folder.resolve("tokenizer.json"));
        Path gguf = dir.resolve("unnamed-rules.gguf");
        assertEquals(new Run(1, "", "llmgraph convert: tokenizer.json: llama.cpp knows a BPE pre-tokenizer only by "
                + "name, and this one's expressions [\\p{L}+|[^\\p{L}]+] are none of those llmgraph can name (gpt-2, "
                + "llama-bpe, qwen2, starcoder, qwen35, deepseek-llm, deepseek-coder, falcon, dbrx, gpt-4o, tekken, "
                + "deepseek-v3, seed-coder, bailingmoe, minicpm5, ufakzeka, tiny_aya, bloom); a GGUF file of it would be "
                + "tokenized otherwise; the checkpoint is not written\n"),
                run("--hf", folder.toString(), "--out", gguf.toString()));
        assertTrue(!Files.exists(gguf));
    }

    @Test
    void aTokenizerOfAnotherKindIsLeftOutInWords() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("wordlevel"));
        for (String file : List.of("config.json", "model.safetensors")) {
            Files.copy(qwen.resolve(file), folder.resolve(file));
        }
        Files.writeString(folder.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}}}");
        Run run = run("--hf", folder.toString(), "--out", dir.resolve("wordlevel.gguf").toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("; tokenizer: none: tokenizer.json is a WordLevel tokenizer, which llmgraph does "
                + "not read (it reads BPE, WordPiece and Unigram); the file runs on token ids, and llama.cpp needs a "
                + "vocabulary to read text\n"), run.out());
    }

    @Test
    void badLinesGetOneLineEach() throws Exception {
        assertEquals(new Run(2, "", "llmgraph convert: --out is missing" + USAGE), run("--hf", qwen.toString()));
        assertEquals(new Run(2, "", "llmgraph convert: give --gguf or --hf, not both" + USAGE),
                run("--hf", qwen.toString(), "--gguf", "x.gguf", "--out", "y"));
        assertEquals(new Run(2, "", "llmgraph convert: --type q8_0: a checkpoint's safetensors hold f32, f16 or bf16"
                + USAGE), run("--gguf", vocabulary("gpt-2").toString(), "--out", dir.resolve("z").toString(), "--type",
                "q8_0"));
        assertEquals(new Run(2, "", "llmgraph convert: --type q9: not a ggml type (f32, f16, bf16, q8_0, q4_0, q4_k, "
                + "...)" + USAGE), run("--hf", qwen.toString(), "--out", "x.gguf", "--type", "q9"));
        assertEquals(new Run(2, "", "llmgraph convert: --out " + dir + ": is a folder; give the GGUF file to write"
                + USAGE), run("--hf", qwen.toString(), "--out", dir.toString()));
        assertEquals(new Run(2, "", "llmgraph convert: --hf " + dir + ": no config.json there; give the folder of a "
                + "Hugging Face checkpoint" + USAGE), run("--hf", dir.toString(), "--out", "x.gguf"));
        Path mismatched = Files.createDirectories(dir.resolve("mismatched"));
        Files.copy(llama.resolve("config.json"), mismatched.resolve("config.json"));
        Files.copy(qwen.resolve("tokenizer.json"), mismatched.resolve("tokenizer.json"));
        assertEquals(new Run(1, "", "llmgraph convert: " + mismatched + ": tokenizer.json has 50257 tokens but "
                + "config.json's vocab_size is 32000; the model has a logit for each of at most 32000 tokens, so this "
                + "tokenizer is not its own\n"), run("--hf", mismatched.toString(), "--out", "x.gguf"));
    }
}
