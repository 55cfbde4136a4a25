package dev.llmgraph.cli;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.text.TextTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufBpe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph tokenize}: the ids it prints are libllama's on a GGUF file (the referee, called here directly)
 * for each kind of vocabulary llama.cpp ships (byte-level BPE, SentencePiece-style BPE, WordPiece, Unigram), and
 * llmgraph's Java tokenizer on the same file gives the same; a folder's tokenizer.json is encoded in Java; bad command
 * lines are refused word for word.
 */
class TokenizeCommandTest {
    static final String USAGE = " (usage: bin/llmgraph tokenize (--gguf FILE | --hf DIR) --text TEXT [--special] "
            + "[--plain])\n";
    static final Path MODELS = LlamaSource.directory().resolve("models");
    static final String TEXT = "Hello world, 12345! <|im_end|> [SEP] naïve 大语言模型\n";

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = TokenizeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The ids of the printed lines "  ID  PIECE". */
    static int[] ids(String out) {
        return out.lines().filter(line -> line.startsWith("  ")).mapToInt(line -> Integer.parseInt(
                line.strip().split(" +", 2)[0])).toArray();
    }

    @Test
    void everyKindOfVocabularyIsLibllamasAndJavasAlike() {
        List<List<String>> cases = List.of(List.of("llama-bpe"), List.of("llama-bpe", "--special"),
                List.of("llama-bpe", "--plain"), List.of("qwen2", "--special"), List.of("llama-spm"),
                List.of("gemma-4"), List.of("bert-bge", "--special"), List.of("nomic-bert-moe"));
        for (List<String> c : cases) {
            Path file = MODELS.resolve("ggml-vocab-" + c.getFirst() + ".gguf");
            List<String> flags = c.subList(1, c.size());
            Run run = run(Stream.concat(Stream.of("--gguf", file.toString(), "--text", TEXT), flags.stream())
                    .toArray(String[]::new));
            assertEquals(0, run.status(), c + ": " + run.err());
            int[] expected;
            try (Tokenizer llama = Tokenizer.open(file)) {
                expected = llama.encode(TEXT, !flags.contains("--plain"), flags.contains("--special"));
            }
            assertArrayEquals(expected, ids(run.out()), c + ":\n" + run.out());
            assertTrue(run.out().startsWith("llmgraph tokenize: " + file + ": " + expected.length + " tokens "
                    + "(libllama, "), run.out());
            assertTrue(run.out().endsWith("\nllmgraph's Java tokenizer on the same vocabulary: the same "
                    + expected.length + " ids\n"), c + ":\n" + run.out());
        }
    }

    /** Text in quotes with control characters escaped; a piece that is part of a character as its bytes. */
    @Test
    void piecesAreShownAsTextOrBytes() {
        Run run = run("--gguf", MODELS.resolve("ggml-vocab-gpt-2.gguf").toString(), "--text", "a\tb\n🦙");
        assertEquals(0, run.status(), run.err());
        List<String> pieces = run.out().lines().filter(line -> line.startsWith("  "))
                .map(line -> line.strip().split(" +", 2)[1]).toList();
        assertEquals(List.of("'a'", "'\\t'", "'b'", "'\\n'"), pieces.subList(0, 4));
        assertEquals("<0xF0><0x9F><0xA6><0x99>", String.join("", pieces.subList(4, pieces.size())),
                "the llama emoji, which GPT-2 has no token for, in parts");
        assertTrue(pieces.size() > 5, "in more than one piece: " + pieces);
        assertEquals("'\\\\x\\u0001'", TokenizeCommand.shown("\\x\u0001".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aFolderIsEncodedInJava() throws Exception {
        BpeVocabulary qwen = BpeVocabulary.readGguf(MODELS.resolve("ggml-vocab-qwen2.gguf"));
        TokenizerJson.write(qwen, dir.resolve("tokenizer.json"));
        Run run = run("--hf", dir.toString(), "--text", TEXT, "--special");
        assertEquals(0, run.status(), run.err());
        int[] expected = TextTokenizer.of(qwen).encode(TEXT, true, true);
        assertTrue(run.out().startsWith("llmgraph tokenize: " + dir + ": " + expected.length + " tokens (BPE, 151,936 "
                + "tokens, in Java)\n"), run.out());
        assertArrayEquals(expected, ids(run.out()));
        Files.delete(dir.resolve("tokenizer.json"));
        assertEquals(new Run(2, "", "llmgraph tokenize: " + dir + ": has no tokenizer.json, tokenizer.model or "
                + "spiece.model\n"), run("--hf", dir.toString(), "--text", "x"));
    }

    /** A vocabulary whose pre-tokenizer llmgraph's Java BPE does not know: libllama's ids, and the reason. */
    @Test
    void aVocabularyJavaDoesNotReadIsSaidSo() {
        Path kimi = dir.resolve("kimi.gguf");
        Path gpt2 = dir.resolve("gpt-2.gguf");
        GgufBpe.read(MODELS.resolve("ggml-vocab-gpt-2.gguf")).writeVocabulary(gpt2);
        try (GgufFile file = GgufFile.open(gpt2)) {
            new GgufWriter().putAll(file.metadata()).putString("tokenizer.ggml.pre", "kimi-k2").write(kimi);
        }
        Run run = run("--gguf", kimi.toString(), "--text", "Hello");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith("\nllmgraph's Java tokenizer on the same vocabulary: none: kimi.gguf: the "
                + "pre-tokenizer 'kimi-k2' is not one llmgraph's BPE knows; it knows gpt-2, llama-bpe, qwen2, starcoder, "
                + "qwen35, deepseek-llm, deepseek-coder, falcon, dbrx, gpt-4o, tekken, deepseek-v3, seed-coder, "
                + "bailingmoe, minicpm5, ufakzeka, tiny_aya, bloom and 53 other names llama.cpp gives them (open the "
                + "file with TextTokenizer.llama for libllama's tokenizer, which knows more)\n"), run.out());
    }

    @Test
    void badCommandLinesAreRefusedInWords() throws Exception {
        String gguf = MODELS.resolve("ggml-vocab-gpt-2.gguf").toString();
        assertEquals(new Run(2, "", "llmgraph tokenize: --text is missing" + USAGE), run("--gguf", gguf));
        assertEquals(new Run(2, "", "llmgraph tokenize: --text is empty; give the text to tokenize" + USAGE),
                run("--gguf", gguf, "--text", ""));
        assertEquals(new Run(2, "", "llmgraph tokenize: give --gguf or --hf, not both" + USAGE),
                run("--gguf", gguf, "--hf", dir.toString(), "--text", "x"));
        assertEquals(new Run(2, "", "llmgraph tokenize: --gguf or --hf is missing" + USAGE), run("--text", "x"));
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        assertEquals(new Run(2, "", "llmgraph tokenize: --hf " + file + ": not a folder; give the folder of a Hugging "
                + "Face checkpoint or tokenizer" + USAGE), run("--hf", file.toString(), "--text", "x"));
        assertTrue(run("--help").out().startsWith(USAGE.strip().substring(1, USAGE.strip().length() - 1)));
        assertTrue(Arrays.asList(TokenizeCommand.HELP.split("\n")).contains("Exit codes: 0 done, 2 bad arguments or "
                + "a vocabulary no tokenizer reads, 1 a file that cannot be read."));
    }
}
