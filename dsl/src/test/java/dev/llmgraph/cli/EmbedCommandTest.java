package dev.llmgraph.cli;

import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.EncoderPresets;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.tokenize.WordPieceTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph embed} run in-process on a tiny BERT GGUF (mean pooling): its output file is compared with the
 * same GGUF encoded through the Java API (the same computation, so the tolerance is zero); bad input gives one line
 * and exit code 2.
 */
class EmbedCommandTest {
    static final String USAGE = " (usage: bin/llmgraph embed (--gguf FILE | --hf DIR) (--tokens 1,2,3 | --text TEXT) "
            + "--out FILE [--pooled] [--token-types 0,0,1] [--backend cpu|cuda] [--threads N])";

    @TempDir
    static Path dir;
    static Path gguf;
    static Path decoder;

    @BeforeAll
    static void writeModels() {
        gguf = dir.resolve("tiny-bert.gguf");
        var spec = Presets.tiny(EncoderPresets.bertBaseUncased()).withFfn(Ffn.mlp(128, Activation.GELU_TANH))
                .withPooling(Pooling.mean());
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, gguf);
        }
        decoder = dir.resolve("tiny-gpt2.gguf");
        try (Model model = Model.random(Presets.tiny(Presets.gpt2Small()), WeightInit.lecun(5),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, decoder);
        }
    }

    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = EmbedCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** T5's encoder alone (llama.cpp's t5encoder): hidden states after its final norm, no pooling. */
    @Test
    void writesTheHiddenStatesOfT5sEncoder() throws Exception {
        var spec = dev.llmgraph.spec.Transformer.encoderDecoder("tiny-t5").vocabSize(256).dModel(32).encoderLayers(2)
                .heads(4).ffn(Ffn.mlp(64, Activation.RELU).withBias(false)).contextLength(16).buildEncoder();
        Path t5encoder = dir.resolve("tiny-t5encoder.gguf");
        float[] expected;
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, t5encoder);
            expected = model.encode(7, 250, 3).hiddenStates();
        }
        Path hidden = dir.resolve("t5-hidden.f32");
        Run run = run("--gguf", t5encoder.toString(), "--tokens", "7,250,3", "--out", hidden.toString(), "--threads",
                "2");
        assertEquals(0, run.status(), run.err());
        assertArrayEquals(expected, read(hidden));
        assertEquals("hidden states [3 x 32] (f32, little-endian, row-major) -> " + hidden + "\n", run.out());
    }

    @Test
    void writesHiddenStatesOrThePooledVectorAsLittleEndianFloat32() throws Exception {
        int[] tokens = {101, 2, 3, 250, 102};
        int[] types = {0, 0, 1, 1, 1};
        Encoding expected;
        try (Model model = GgufModels.load(gguf, ModelOptions.cpu().withThreads(2))) {
            expected = model.encode(tokens, types);
        }
        Path hidden = dir.resolve("hidden.f32");
        Run run = run("--gguf", gguf.toString(), "--tokens", "101,2,3,250,102", "--token-types", "0,0,1,1,1",
                "--out", hidden.toString(), "--threads", "2");
        assertEquals(0, run.status(), run.err());
        assertArrayEquals(expected.hiddenStates(), read(hidden));
        assertEquals("hidden states [5 x 32] (f32, little-endian, row-major) -> " + hidden + "\n", run.out());

        Path pooled = dir.resolve("pooled.f32");
        run = run("--gguf", gguf.toString(), "--tokens", "101,2,3,250,102", "--token-types", "0,0,1,1,1",
                "--out", pooled.toString(), "--pooled", "--threads", "2");
        assertEquals(0, run.status(), run.err());
        assertArrayEquals(expected.pooled(), read(pooled));
        assertEquals("pooled embedding (mean pooling) [1 x 32] (f32, little-endian, row-major) -> " + pooled + "\n",
                run.out());
    }

    /**
     * {@code --text}: a tiny BERT of BGE's WordPiece vocabulary, as a GGUF file (the text encoded by libllama on the
     * file's vocabulary) and as a checkpoint folder (by its tokenizer.json in Java): both give the hidden states, and
     * the pooled vector, of the ids Java's WordPiece gives the text with [CLS] and [SEP] around it (both encoders
     * give Hugging Face's ids on llama.cpp's vectors: TokenizerJsonTest). The same weights, the same computation:
     * tolerance zero.
     */
    @Test
    void embedsATextWithTheModelsOwnTokenizer() throws Exception {
        WordPieceTokenizer bge = WordPieceTokenizer.readGguf(
                LlamaSource.directory().resolve("models/ggml-vocab-bert-bge.gguf"));
        var spec = Presets.tiny(EncoderPresets.bertBaseUncased()).withFfn(Ffn.mlp(128, Activation.GELU_TANH))
                .withVocabSize(bge.size()).withPooling(Pooling.cls());
        String text = "Hello world, naïve Café! 12345";
        int[] ids = bge.encodeForModel(text);
        Path file = dir.resolve("tiny-bge.gguf"), folder = dir.resolve("tiny-bge");
        Encoding expected;
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, file, bge);
            SafetensorsExport.write(model, folder);
            TokenizerJson.write(bge, folder.resolve("tokenizer.json"));
            expected = model.encode(ids);
        }
        String idLine = "text -> " + ids.length + " tokens: " + String.join(",", Arrays.stream(ids)
                .mapToObj(String::valueOf).toList()) + "\n";
        assertEquals(101, ids[0], "[CLS]");
        assertEquals(102, ids[ids.length - 1], "[SEP]");

        Path hidden = dir.resolve("bge-hidden.f32");
        Run run = run("--gguf", file.toString(), "--text", text, "--out", hidden.toString(), "--threads", "2");
        assertEquals(0, run.status(), run.err());
        assertEquals(idLine + "hidden states [" + ids.length + " x 32] (f32, little-endian, row-major) -> " + hidden
                + "\n", run.out());
        assertArrayEquals(expected.hiddenStates(), read(hidden));

        Path pooled = dir.resolve("bge-pooled.f32");
        run = run("--hf", folder.toString(), "--text", text, "--out", pooled.toString(), "--pooled", "--threads", "2");
        assertEquals(0, run.status(), run.err());
        assertEquals(idLine + "pooled embedding (CLS pooling) [1 x 32] (f32, little-endian, row-major) -> " + pooled
                + "\n", run.out());
        assertArrayEquals(expected.pooled(), read(pooled));

        Files.delete(folder.resolve("tokenizer.json"));
        run = run("--hf", folder.toString(), "--text", text, "--out", pooled.toString());
        assertEquals(2, run.status());
        assertEquals("llmgraph embed: " + folder + ": has no tokenizer.json to encode the text with; give --tokens\n",
                run.err());
    }

    @Test
    void helpDescribesEveryOption() {
        Run run = run("--help");
        assertEquals(0, run.status());
        assertEquals(EmbedCommand.HELP, run.out());
        for (String option : new String[] {"--gguf", "--hf", "--tokens", "--text", "--out", "--pooled",
                "--token-types", "--backend", "--threads"}) {
            assertTrue(run.out().contains("\n  " + option + " "), option);
        }
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        Run missing = run("--gguf", gguf.toString(), "--out", "x");
        assertEquals(2, missing.status());
        assertEquals("llmgraph embed: --tokens or --text is missing" + USAGE + "\n", missing.err());
        Run both = run("--gguf", gguf.toString(), "--tokens", "1", "--text", "a", "--out", "x");
        assertEquals("llmgraph embed: give --tokens or --text, not both" + USAGE + "\n", both.err());
        Run empty = run("--gguf", gguf.toString(), "--text", "", "--out", "x");
        assertEquals("llmgraph embed: --text is empty; give the text to embed" + USAGE + "\n", empty.err());
        Run noFolder = run("--hf", dir.toString(), "--tokens", "1", "--out", "x");
        assertEquals("llmgraph embed: --hf " + dir + ": no config.json there; give the folder of a Hugging Face "
                + "checkpoint" + USAGE + "\n", noFolder.err());

        Run type = run("--gguf", gguf.toString(), "--tokens", "1,2", "--token-types", "0,2", "--out",
                dir.resolve("t.f32").toString());
        assertEquals(2, type.status());
        assertEquals("llmgraph embed: token type 2 at index 1 is out of range: tiny-bert-base-uncased has 2 token "
                + "types (ids 0 to 1)\n", type.err());

        Run notAnEncoder = run("--gguf", decoder.toString(), "--tokens", "1,2", "--out", dir.resolve("d.f32").toString());
        assertEquals(2, notAnEncoder.status());
        assertEquals("llmgraph embed: encode: tiny-gpt2-small is a CAUSAL_DECODER, which predicts tokens (forward, "
                + "generate) and has no encoder output; build an encoder with Transformer.encoder(...)\n",
                notAnEncoder.err());

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LogitsCommand.run(new String[] {"--gguf", gguf.toString(), "--tokens", "1,2", "--out",
                dir.resolve("l.f32").toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status, "logits of an encoder");
        assertEquals("llmgraph logits: tiny-bert-base-uncased is an ENCODER without a masked-LM head: it predicts no "
                + "tokens; use model.encode(tokens) for its hidden states and mean pooling, or build it with "
                + ".maskedLmHead(true)\n", err.toString(StandardCharsets.UTF_8));
    }

    private static float[] read(Path file) throws Exception {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }
}
