package dev.llmgraph.io.hf;

import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.ggml.llama.TokenizerVectors;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.text.TextTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufBpe;
import dev.llmgraph.tokenize.GgufSentencePiece;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.WordPieceTokenizer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Published BPE vocabularies against the ids Hugging Face's tokenizers gave: llama.cpp's tokenizer test vectors
 * ({@code models/ggml-vocab-X.gguf.inp/.out}, made with the tokenizer.json each vocabulary was converted from).
 * Each vocabulary is read from its GGUF file into llmgraph's Java BPE ({@link GgufBpe} for the byte-level ones,
 * {@link GgufSentencePiece} for Llama 2's and Phi-3's, whose scores become merges), written as a tokenizer.json and
 * tokenizer_config.json and read back ({@link TokenizerJson}), and written again as a GGUF (SentencePiece scores
 * made from the merges) for libllama: all three encoders must give every vector's ids exactly. That the
 * tokenizer.json llmgraph writes is read by Hugging Face as llmgraph reads it is checked outside CI, where Hugging
 * Face's tokenizers library is at hand ({@code tools/converter-check}).
 */
class TokenizerJsonTest {
    /**
     * The vocabularies with vectors that llmgraph's BPE reads: byte-level ones whose pre-tokenizer it knows, and the
     * SentencePiece-style ones.
     */
    static final List<String> VOCABULARIES = List.of("gpt-2", "llama-bpe", "qwen2", "starcoder", "refact", "mpt",
            "command-r", "qwen35", "deepseek-llm", "deepseek-coder", "falcon", "llama-spm", "phi-3", "gemma-4");

    record Outcome(String vocabulary, String encoder, List<String> failures, int cases) {}

    @TestFactory
    Stream<DynamicTest> javaBpeFromGgufAndFromItsTokenizerJsonEncodesTheVectorsAsHuggingFace(@TempDir Path dir) {
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : VOCABULARIES) {
            Path gguf = LlamaSource.directory().resolve("models/ggml-vocab-" + name + ".gguf");
            List<TokenizerVectors.Vector> vectors = TokenizerVectors.read(gguf);
            BpeVocabulary fromGguf = BpeVocabulary.readGguf(gguf);
            Path folder = dir.resolve(name);
            BpeVocabulary back = writeAndRead(fromGguf, folder);
            assertEquals(fromGguf.tokens(), back.tokens(), name);
            assertEquals(fromGguf.merges(), back.merges(), name);
            assertEquals(rules(fromGguf), rules(back), name);
            assertEquals(fromGguf.markers(), back.markers(), name);
            assertEquals(fromGguf.kinds(), back.kinds(), name);
            outcomes.add(outcome(name, "Java read from the GGUF", vectors, fromGguf::encode));
            outcomes.add(outcome(name, "Java read from llmgraph's tokenizer.json", vectors, back::encode));
            Path rewritten = folder.resolve("rewritten.gguf");
            back.writeVocabulary(rewritten);
            try (Tokenizer llama = Tokenizer.open(rewritten)) {
                outcomes.add(outcome(name, "libllama on the GGUF written from it", vectors,
                        text -> llama.encode(text, false, false)));
            }
            if (fromGguf instanceof SentencePieceBpe spm && spm.ggufForm() == SentencePieceBpe.GgufForm.MERGES) {
                Path merged = folder.resolve("rewritten-merges.gguf");   // Gemma 4's form, merges kept as they are
                spm.writeVocabulary(merged);
                try (Tokenizer llama = Tokenizer.open(merged)) {
                    outcomes.add(outcome(name, "libllama on the GGUF written in its form (gemma4)", vectors,
                            text -> llama.encode(text, false, false)));
                }
            }
        }
        return outcomes.stream().map(o -> DynamicTest.dynamicTest(o.vocabulary() + ", " + o.encoder() + ": "
                + (o.cases() - o.failures().size()) + " of " + o.cases() + " cases match",
                () -> assertEquals(List.of(), o.failures(), o.vocabulary())));
    }

    /**
     * The tokens put around a text (Llama 3's vocabulary adds its beginning-of-text token: llama.cpp does so for the
     * name llama-bpe where the file does not say, and the tokenizer.json llmgraph writes says so in its post
     * processor; so do Llama 2's and Phi-3's), as libllama puts them with add_special = true on the original file;
     * and the text decoded again.
     */
    @TestFactory
    Stream<DynamicTest> theTokensAroundATextAreLibllamas(@TempDir Path dir) {
        String text = "Hello world, 12345! Ünïcödé 🙂";
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : VOCABULARIES) {
            Path gguf = LlamaSource.directory().resolve("models/ggml-vocab-" + name + ".gguf");
            BpeVocabulary back = writeAndRead(BpeVocabulary.readGguf(gguf), dir.resolve(name));
            int[] java = TextTokenizer.of(back).encode(text, true, false), llama;
            try (Tokenizer libllama = Tokenizer.open(gguf)) {
                llama = libllama.encode(text, true, false);
            }
            tests.add(DynamicTest.dynamicTest(name + (back.markers().addsBos() ? ": adds " : ": adds no ")
                    + "beginning-of-text token", () -> assertArrayEquals(llama, java, name)));
            tests.add(DynamicTest.dynamicTest(name + ": decodes to the text",
                    () -> assertEquals(text, back.decode(back.encode(text)), name)));
        }
        return tests.stream();
    }

    /**
     * BGE's WordPiece vocabulary (BERT's, lower-cased, accents stripped), read from llama.cpp's GGUF, written as
     * tokenizer.json ({@code ##} before continuations) and read back, and written again as a GGUF for libllama: all
     * three encoders give the vectors' ids (the ids Hugging Face gave).
     */
    @TestFactory
    Stream<DynamicTest> aWordPieceVocabularyEncodesTheVectorsAsHuggingFace(@TempDir Path dir) {
        Path gguf = LlamaSource.directory().resolve("models/ggml-vocab-bert-bge.gguf");
        List<TokenizerVectors.Vector> vectors = TokenizerVectors.read(gguf);
        WordPieceTokenizer fromGguf = WordPieceTokenizer.readGguf(gguf);
        TokenizerJson.write(fromGguf, dir.resolve("tokenizer.json"));
        WordPieceTokenizer back = TokenizerJson.readWordPiece(dir);
        assertEquals(fromGguf.tokens(), back.tokens());
        assertEquals(fromGguf.kinds(), back.kinds());
        assertEquals(fromGguf.specials(), back.specials());
        assertEquals(new WordPieceTokenizer.Rules(true, true, Integer.MAX_VALUE), back.rules(), "lower-cased, accents "
                + "stripped, and, as llama.cpp reads a GGUF, no longest word");
        Path rewritten = dir.resolve("rewritten.gguf");
        back.writeVocabulary(rewritten);
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(outcome("bert-bge", "Java read from the GGUF", vectors, fromGguf::encode));
        outcomes.add(outcome("bert-bge", "Java read from llmgraph's tokenizer.json", vectors, back::encode));
        try (Tokenizer llama = Tokenizer.open(rewritten)) {
            outcomes.add(outcome("bert-bge", "libllama on the GGUF written from it", vectors,
                    text -> llama.encode(text, false, false)));
        }
        // a pair of sentences and special-token text, read as libllama reads it with parse_special = true
        String pair = "[CLS] The first sentence.[SEP]And the SECOND, naïvely! [SEP][MASK] [PAD]";
        int[] llamaPair;
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            llamaPair = llama.encode(pair, false, true);
        }
        outcomes.add(new Outcome("bert-bge", "Java with special-token text, as libllama reads it", Arrays.equals(
                llamaPair, back.encode(pair, true)) ? List.of() : List.of(Arrays.toString(back.encode(pair, true))
                + " against " + Arrays.toString(llamaPair)), 1));
        return outcomes.stream().map(o -> DynamicTest.dynamicTest(o.vocabulary() + ", " + o.encoder() + ": "
                + (o.cases() - o.failures().size()) + " of " + o.cases() + " cases match",
                () -> assertEquals(List.of(), o.failures(), o.vocabulary())));
    }

    /**
     * Every added token is written into model.vocab too, at its id, as StarCoder's and GPT-2's files have them: Hugging
     * Face's tokenizers library gives an added token missing from the vocabulary a new id after it, whatever id
     * added_tokens gives (StarCoder's 38 special tokens, ids 0 to 37, became 49114 onwards in the converter check).
     */
    @Test
    void addedTokensAreInTheVocabularyAtTheirIds(@TempDir Path dir) throws Exception {
        BpeTokenizer starcoder = GgufBpe.read(LlamaSource.directory().resolve("models/ggml-vocab-starcoder.gguf"));
        Path file = dir.resolve("tokenizer.json");
        TokenizerJson.write(starcoder, file);
        var json = HfConfig.JSON.readTree(file.toFile());
        assertEquals(38, json.get("added_tokens").size());
        for (var added : json.get("added_tokens")) {
            assertEquals(added.get("id").intValue(), json.get("model").get("vocab").get(added.get("content").asText())
                    .intValue(), added.toString());
        }
        assertEquals(starcoder.size(), json.get("model").get("vocab").size());
    }

    /**
     * Where the {@code ▁} goes, by each form a tokenizer.json gives it: the pieces Hugging Face's tokenizers library
     * (0.23.2) gave for these texts with Llama 2's vocabulary in each form, special-token text read as special tokens.
     * A Prepend normalizer puts one before every stretch between special tokens; a Metaspace pre-tokenizer not
     * before a stretch that starts with a space, and with prepend_scheme first only before the input's first stretch.
     */
    @TestFactory
    Stream<DynamicTest> theSpacePrefixIsPutWhereHuggingFacePutsIt(@TempDir Path dir) {
        List<String> texts = List.of(" Hello", "  Hello", "Hello", "<s>Hello", "<s> Hello", "Hello<s>world",
                "Hello</s> world", " ");
        var expected = new java.util.LinkedHashMap<SentencePieceBpe.Prefix, List<String>>();
        expected.put(SentencePieceBpe.Prefix.PREPEND, List.of("▁ ▁Hello", "▁▁ ▁Hello", "▁Hello", "<s> ▁Hello",
                "<s> ▁ ▁Hello", "▁Hello <s> ▁world", "▁Hello </s> ▁ ▁world", "▁▁"));
        expected.put(SentencePieceBpe.Prefix.METASPACE_ALWAYS, List.of("▁Hello", "▁ ▁Hello", "▁Hello", "<s> ▁Hello",
                "<s> ▁Hello", "▁Hello <s> ▁world", "▁Hello </s> ▁world", "▁"));
        expected.put(SentencePieceBpe.Prefix.METASPACE_FIRST, List.of("▁Hello", "▁ ▁Hello", "▁Hello", "<s> Hello",
                "<s> ▁Hello", "▁Hello <s> world", "▁Hello </s> ▁world", "▁"));
        expected.put(SentencePieceBpe.Prefix.NONE, List.of("▁Hello", "▁ ▁Hello", "Hello", "<s> Hello", "<s> ▁Hello",
                "Hello <s> world", "Hello </s> ▁world", "▁"));
        SentencePieceBpe llama2 = GgufSentencePiece.read(LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf"));
        List<DynamicTest> tests = new ArrayList<>();
        expected.forEach((prefix, pieces) -> {
            var rules = new SentencePieceBpe.Rules(prefix, true, llama2.rules().unknown());
            SentencePieceBpe back = writeAndRead(new SentencePieceBpe(llama2.tokens(), llama2.kinds(), llama2.merges(),
                    rules, llama2.markers()), dir.resolve(prefix.name()));
            List<String> actual = texts.stream().map(text -> String.join(" ", Arrays.stream(back.encode(text, true))
                    .mapToObj(back.tokens()::get).toList())).toList();
            tests.add(DynamicTest.dynamicTest(prefix + ", read back from its tokenizer.json as " + back.rules().prefix(),
                    () -> assertEquals(pieces, actual)));
        });
        return tests.stream();
    }

    /**
     * llama.cpp cuts a Gemma 4 text where newlines start and end and takes a run of newlines its vocabulary holds as
     * one token; llmgraph merges the whole text, as Hugging Face does. With no token mixing newlines and other
     * characters the two agree: runs of 1 to 70 newlines alone and between words, as libllama encodes them.
     */
    @Test
    void gemma4sNewlineRunsAreLibllamas() {
        Path gguf = LlamaSource.directory().resolve("models/ggml-vocab-gemma-4.gguf");
        BpeVocabulary gemma4 = BpeVocabulary.readGguf(gguf);
        List<String> differing = new ArrayList<>();
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            for (int n = 1; n <= 70; n++) {
                String run = "\n".repeat(n);
                for (String text : List.of(run, "a" + run + "b", " x " + run + "  y\t")) {
                    if (!Arrays.equals(llama.encode(text, false, false), gemma4.encode(text))) {
                        differing.add(text.replace("\n", "\\n"));
                    }
                }
            }
        }
        assertEquals(List.of(), differing);
    }

    /**
     * Gemma's tokenizer.json splits the text at spaces after a normalizer that has written every space as {@code ▁}:
     * a split that changes nothing, read as no pre-tokenizer.
     */
    @Test
    void gemmasSplitAtSpacesChangesNothing(@TempDir Path dir) throws Exception {
        SentencePieceBpe llama2 = GgufSentencePiece.read(LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf"));
        var unprefixed = new SentencePieceBpe(llama2.tokens(), llama2.kinds(), llama2.merges(),
                new SentencePieceBpe.Rules(SentencePieceBpe.Prefix.NONE, true, llama2.rules().unknown()),
                llama2.markers());
        Path file = dir.resolve("tokenizer.json");
        TokenizerJson.write(unprefixed, file);
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) HfConfig.JSON.readTree(file.toFile());
        var split = json.putObject("pre_tokenizer").put("type", "Split").put("behavior", "MergedWithPrevious")
                .put("invert", false);
        split.putObject("pattern").put("String", " ");
        HfConfig.JSON.writeValue(file.toFile(), json);
        BpeVocabulary gemmaForm = TokenizerJson.read(file);
        assertEquals(unprefixed.rules(), rules(gemmaForm));
        String text = "Hello  world,\n  indented  code()  ";
        assertArrayEquals(unprefixed.encode(text), gemmaForm.encode(text));
    }

    /** {@code bpe} written as tokenizer.json and tokenizer_config.json into {@code folder}, and read back. */
    @SuppressWarnings("unchecked")
    static <T extends BpeVocabulary> T writeAndRead(T bpe, Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TokenizerJson.write(bpe, folder.resolve("tokenizer.json"));
        TokenizerJson.writeConfig(bpe, null, folder.resolve("tokenizer_config.json"));
        return (T) TokenizerJson.read(folder);
    }

    private static Object rules(BpeVocabulary vocabulary) {
        return switch (vocabulary) {
            case BpeTokenizer bpe -> bpe.rules();
            case SentencePieceBpe spm -> spm.rules();
        };
    }

    private static Outcome outcome(String vocabulary, String encoder, List<TokenizerVectors.Vector> vectors,
                                   Function<String, int[]> encode) {
        List<String> failures = new ArrayList<>();
        for (TokenizerVectors.Vector v : vectors) {
            int[] actual = encode.apply(v.input());
            if (!Arrays.equals(v.expected(), actual)) {
                failures.add("'" + v.input() + "': expected " + Arrays.toString(v.expected()) + ", got "
                        + Arrays.toString(actual));
            }
        }
        return new Outcome(vocabulary, encoder, failures, vectors.size());
    }
}
