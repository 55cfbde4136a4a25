package dev.llmgraph.text;

import dev.llmgraph.cli.GenerateCommand;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.io.gguf.EncoderDecoderGguf;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.T5Checkpoints;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.Generation;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.tokenize.SentencePieceModelFile;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.UnigramTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text to text with an encoder-decoder: a tiny T5 of random weights with a Unigram vocabulary trained here
 * ({@code </s>} put after the input, as T5's), as a GGUF file (llama.cpp's t5, the input encoded by libllama) and
 * as a checkpoint folder (its tokenizer.json encoded in Java, or only SentencePiece's spiece.model). All give the
 * input's ids the Java encoder gives and the tokens {@link EncoderDecoderModel#generate} writes for those ids, and the
 * text of them.
 */
class TextToTextModelTest {
    static final String INPUT = "translate English to German: the small model reads the text.";

    @TempDir
    static Path dir;
    static Path gguf, folder, spieceFolder;
    static SentencePieceUnigram unigram;
    static int[] inputIds;
    static Generation expected;

    @BeforeAll
    static void writeModel() {
        Path trained = dir.resolve("trained.gguf");
        UnigramTrainer.train("the small model reads the text and writes it again. translate English to German: "
                .repeat(30) + "das kleine Modell liest den Text.", 120).writeVocabulary(trained);
        SentencePieceUnigram read = SentencePieceUnigram.readGguf(trained);
        float[] scores = new float[read.size()];
        for (int id = 0; id < scores.length; id++) {
            scores[id] = read.score(id);
        }
        unigram = new SentencePieceUnigram(read.tokens(), read.kinds(), scores, read.rules(), null, read.unknown(),
                new SentencePieceUnigram.Markers(-1, 1, false, true));     // T5's: </s> after the input
        var spec = Transformer.encoderDecoder("tiny-t5").vocabSize(unigram.size()).dModel(32).encoderLayers(2)
                .decoderLayers(2).heads(4).ffn(Ffn.mlp(64, Activation.RELU).withBias(false))
                .relativeBias(Positional.t5Bias(32, 128)).contextLength(64).build();
        gguf = dir.resolve("tiny-t5.gguf");
        folder = dir.resolve("tiny-t5");
        spieceFolder = dir.resolve("tiny-t5-spiece");
        inputIds = unigram.encodeForModel(INPUT);
        try (EncoderDecoderModel model = EncoderDecoderModel.random(spec, WeightInit.lecun(7),
                ModelOptions.cpu().withThreads(2))) {
            EncoderDecoderGguf.write(model, gguf, unigram);
            T5Checkpoints.write(model, folder);
            TokenizerJson.write(unigram, folder.resolve("tokenizer.json"));
            T5Checkpoints.write(model, spieceFolder);      // T5's older folders: SentencePiece's model file only
            SentencePieceModelFile.write(unigram, spieceFolder.resolve("spiece.model"));
            expected = model.generate(inputIds, GenerationConfig.greedy(12).withStopTokens(1));
        }
    }

    @Test
    void aGgufFileAndACheckpointFolderAnswerAlike() {
        assertEquals(1, inputIds[inputIds.length - 1], "</s> after the input");
        assertTrue(expected.tokens().length > 3, "the tiny model writes some tokens: " + expected);
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertArrayEquals(inputIds, llama.encode(INPUT, true, false), "libllama on the file's vocabulary");
        }
        for (Path path : new Path[] {gguf, folder, spieceFolder}) {
            assertTrue(TextToTextModel.holdsEncoderDecoder(path), path.toString());
            try (TextToTextModel t5 = TextToTextModel.load(path, ModelOptions.cpu().withThreads(2))) {
                TextGeneration generation = t5.generate(INPUT, GenerationConfig.greedy(12), PieceListener.NONE);
                assertArrayEquals(inputIds, generation.promptIds(), path.toString());
                assertArrayEquals(expected.tokens(), generation.ids(), path.toString());
                int[] written = Arrays.stream(expected.tokens()).filter(id -> id != 1).toArray();
                assertEquals(unigram.decode(written), generation.text(), path.toString());
            }
        }
    }

    @Test
    void generateAnswersThroughTheCommandLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = GenerateCommand.run(new String[] {"--hf", folder.toString(), "--prompt", INPUT, "-n", "12",
                "--threads", "2"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        int[] written = Arrays.stream(expected.tokens()).filter(id -> id != 1).toArray();
        assertEquals(unigram.decode(written) + "\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("llmgraph generate: " + expected.tokens().length
                + " token"), err.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream chatErr = new ByteArrayOutputStream();
        status = GenerateCommand.run(new String[] {"--gguf", gguf.toString(), "--prompt", INPUT, "--chat"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(chatErr, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals("llmgraph generate: --chat: " + gguf + " is an encoder-decoder (T5), which answers its input as "
                + "it is, without a chat template; drop --chat\n", chatErr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFolderWithoutATokenizerIsRefusedInWords() throws Exception {
        Path bare = Files.createDirectories(dir.resolve("bare"));
        Files.copy(folder.resolve("config.json"), bare.resolve("config.json"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TextToTextModel.load(bare, ModelOptions.cpu()));
        assertEquals(bare + ": has no tokenizer.json or SentencePiece model (tokenizer.model, spiece.model); its "
                + "model runs on token ids (T5Checkpoints.load), or give it a tokenizer", e.getMessage());
    }
}
