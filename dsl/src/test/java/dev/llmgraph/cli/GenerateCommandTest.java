package dev.llmgraph.cli;

import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Sampler;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.text.PieceListener;
import dev.llmgraph.text.TextGeneration;
import dev.llmgraph.text.TextModel;
import dev.llmgraph.text.TinyTextModel;
import dev.llmgraph.tokenize.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph generate} on {@link TinyTextModel}'s file: the printed text is what {@link TextModel} generates
 * in process with the same settings, the summary says why it stopped, and bad command lines get one line each.
 */
class GenerateCommandTest {
    private static final String USAGE = " (" + GenerateCommand.USAGE + ")\n";

    @TempDir
    static Path dir;
    static BpeTokenizer bpe;
    static Path gguf;

    @BeforeAll
    static void writeTheModel() {
        bpe = TinyTextModel.bpe();
        gguf = TinyTextModel.write(bpe, dir.resolve("tiny-text.gguf"));
    }

    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = GenerateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static TextGeneration inProcess(String prompt, boolean chat, GenerationConfig config) {
        try (TextModel model = TextModel.load(gguf, ModelOptions.cpu().withThreads(2))) {
            return chat ? model.chat(List.of(dev.llmgraph.ggml.llama.ChatMessage.user(prompt)), config, PieceListener.NONE)
                    : model.generate(prompt, config, PieceListener.NONE);
        }
    }

    @Test
    void printsTheGeneratedTextAndWhyItStopped() {
        Run run = run("--gguf", gguf.toString(), "--prompt", "The KV cache", "-n", "12", "--temp", "0.8", "--seed", "5",
                "--threads", "2");
        assertEquals(0, run.status(), run.err());
        TextGeneration expected = inProcess("The KV cache", false,
                GenerationConfig.of(12, Sampler.temperature(0.8).withSeed(5)));
        assertEquals(expected.text() + "\n", run.out());
        assertTrue(run.err().startsWith("llmgraph generate: " + expected.ids().length + " tokens after a prompt of "
                + bpe.encode("The KV cache").length + ", stopped: " + expected.stopped()), run.err());
    }

    @Test
    void chatUsesTheFilesTemplate() {
        Run run = run("--gguf", gguf.toString(), "--prompt", "Hello", "--chat", "-n", "6", "--threads", "2");
        assertEquals(0, run.status(), run.err());
        TextGeneration expected = inProcess("Hello", true, GenerationConfig.greedy(6));
        assertEquals("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", expected.prompt());
        assertEquals(expected.text() + "\n", run.out());
        assertTrue(run.err().contains(" after a prompt of " + expected.promptIds().length + ", "), run.err());
    }

    @Test
    void badCommandLinesGetOneLineSayingWhat() {
        String file = gguf.toString();
        assertEquals(new Run(2, "", "llmgraph generate: -n 0: must be at least 1" + USAGE),
                run("--gguf", file, "--prompt", "hi", "-n", "0"));
        assertEquals(new Run(2, "", "llmgraph generate: --prompt is missing" + USAGE), run("--gguf", file));
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(new Run(2, "", "llmgraph generate: --threads 100000: ggml runs at most 512 CPU threads; this "
                + "machine has " + cores + " cores, and threads beyond the cores only wait for each other, so choose at "
                + "most " + Math.min(cores, 512) + USAGE), run("--gguf", file, "--prompt", "hi", "--threads", "100000"));
        assertEquals(new Run(2, "", "llmgraph generate: --temp -1: must be 0 (greedy) or positive" + USAGE),
                run("--gguf", file, "--prompt", "hi", "--temp", "-1"));
        assertEquals(new Run(2, "", "llmgraph generate: --temp: 'warm' is not a number" + USAGE),
                run("--gguf", file, "--prompt", "hi", "--temp", "warm"));
        assertEquals(new Run(2, "", "llmgraph generate: --chat is given twice" + USAGE),
                run("--gguf", file, "--prompt", "hi", "--chat", "--chat"));
        assertEquals(new Run(2, "", "llmgraph generate: the prompt is empty; give the text the model should continue\n"),
                run("--gguf", file, "--prompt", "", "--threads", "2"));
        String longPrompt = "attention ".repeat(200);
        assertEquals(new Run(2, "", "llmgraph generate: the prompt is " + bpe.encode(longPrompt).length + " tokens "
                + "long, more than the context length of 128 tokens; shorten it, or raise the context length "
                + "(ModelOptions.withContextLength, at most the spec's contextLength 128)\n"),
                run("--gguf", file, "--prompt", longPrompt, "--threads", "2"));
    }

    @Test
    void aFileWithoutATokenizerOrWithoutAChatTemplateIsRefused() {
        Path idsOnly = dir.resolve("ids-only.gguf");
        try (Model small = Model.random(TinyTextModel.spec(bpe).withVocabSize(100), WeightInit.lecun(1),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(small, idsOnly);
        }
        assertEquals(new Run(1, "", "llmgraph generate: " + idsOnly + ": has no tokenizer (tokenizer.ggml.model is "
                + "'none'); its model runs on token ids (GgufModels.load), or give it a tokenizer: TextModel.of(model, "
                + "tokenizer), or write it with one: GgufModels.write(model, path, vocabulary)\n"),
                run("--gguf", idsOnly.toString(), "--prompt", "hi"));
        Path noTemplate = dir.resolve("no-template.gguf");
        try (Model model = TinyTextModel.model(bpe)) {
            GgufModels.write(model, noTemplate, bpe);
        }
        assertEquals(new Run(2, "", "llmgraph generate: --chat: " + noTemplate + " has no chat template (key "
                + "tokenizer.chat_template), so it is not a chat-tuned model; drop --chat to continue the prompt\n"),
                run("--gguf", noTemplate.toString(), "--prompt", "hi", "--chat", "--threads", "2"));
    }

    @Test
    void aCheckpointFolderGeneratesWithItsTokenizerJson() throws Exception {
        Path folder = java.nio.file.Files.createDirectories(dir.resolve("checkpoint"));
        try (Model model = TinyTextModel.model(bpe)) {
            SafetensorsExport.write(model, folder);
        }
        TokenizerJson.write(bpe, folder.resolve("tokenizer.json"));
        TokenizerJson.writeConfig(bpe, "chatml", folder.resolve("tokenizer_config.json"));
        Run fromFolder = run("--hf", folder.toString(), "--prompt", "Hello", "--chat", "-n", "6", "--threads", "2");
        Run fromFile = run("--gguf", gguf.toString(), "--prompt", "Hello", "--chat", "-n", "6", "--threads", "2");
        assertEquals(0, fromFolder.status(), fromFolder.err());
        assertEquals(fromFile.out(), fromFolder.out());
        assertEquals(fromFile.err().replaceAll("; [0-9.]+ tok/s", ""), fromFolder.err().replaceAll("; [0-9.]+ tok/s", ""));
        assertEquals(new Run(2, "", "llmgraph generate: --hf " + dir + ": no config.json there; give the folder of a "
                + "Hugging Face checkpoint" + USAGE), run("--hf", dir.toString(), "--prompt", "hi"));
        assertEquals(new Run(2, "", "llmgraph generate: give --gguf or --hf, not both" + USAGE),
                run("--hf", folder.toString(), "--gguf", gguf.toString(), "--prompt", "hi"));
        assertEquals(new Run(2, "", "llmgraph generate: --gguf or --hf is missing" + USAGE), run("--prompt", "hi"));
        java.nio.file.Files.writeString(folder.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\"}}");
        assertEquals(new Run(1, "", "llmgraph generate: " + folder.resolve("tokenizer.json") + ": the model is "
                + "'WordLevel'; llmgraph reads BPE tokenizers, byte-level (a ByteLevel pre-tokenizer) or "
                + "SentencePiece-style (byte fallback, spaces as ▁), and BERT's WordPiece with "
                + "TokenizerJson.readWordPiece, SentencePiece's Unigram with TokenizerJson.readUnigram\n"),
                run("--hf", folder.toString(), "--prompt", "hi"));
    }

    @Test
    void helpNamesEveryOption() {
        Run run = run("--help");
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith(GenerateCommand.USAGE + "\n"), run.out());
        for (String option : List.of("--gguf", "--hf", "--prompt", "--chat", "-n N", "--temp", "--seed", "--backend", "--threads")) {
            assertTrue(run.out().contains("\n  " + option), option);
        }
    }
}
