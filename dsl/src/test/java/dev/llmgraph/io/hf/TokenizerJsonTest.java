package dev.llmgraph.io.hf;

import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.ggml.llama.TokenizerVectors;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.text.TextTokenizer;
import dev.llmgraph.tokenize.GgufBpe;
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
 * Published byte-level BPE vocabularies against the ids Hugging Face's tokenizers gave: llama.cpp's tokenizer test
 * vectors ({@code models/ggml-vocab-X.gguf.inp/.out}, made with the tokenizer.json each vocabulary was converted
 * from). Each vocabulary is read from its GGUF file into llmgraph's Java BPE ({@link GgufBpe}), written as a
 * tokenizer.json and tokenizer_config.json and read back ({@link TokenizerJson}), and written again as a GGUF
 * for libllama: all three encoders must give every vector's ids exactly. That the tokenizer.json llmgraph
 * writes is read by Hugging Face as llmgraph reads it is checked outside CI, where Hugging Face's tokenizers
 * library is at hand ({@code tools/converter-check}).
 */
class TokenizerJsonTest {
    /** The byte-level vocabularies with vectors whose pre-tokenizer llmgraph's BPE knows. */
    static final List<String> VOCABULARIES = List.of("gpt-2", "llama-bpe", "qwen2", "starcoder", "refact", "mpt");

    record Outcome(String vocabulary, String encoder, List<String> failures, int cases) {}

    @TestFactory
    Stream<DynamicTest> javaBpeFromGgufAndFromItsTokenizerJsonEncodesTheVectorsAsHuggingFace(@TempDir Path dir) {
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : VOCABULARIES) {
            Path gguf = LlamaSource.directory().resolve("models/ggml-vocab-" + name + ".gguf");
            List<TokenizerVectors.Vector> vectors = TokenizerVectors.read(gguf);
            BpeTokenizer fromGguf = GgufBpe.read(gguf);
            Path folder = dir.resolve(name);
            BpeTokenizer back = writeAndRead(fromGguf, folder);
            assertEquals(fromGguf.tokens(), back.tokens(), name);
            assertEquals(fromGguf.merges(), back.merges(), name);
            assertEquals(fromGguf.rules(), back.rules(), name);
            assertEquals(fromGguf.markers(), back.markers(), name);
            assertEquals(fromGguf.kinds(), back.kinds(), name);
            outcomes.add(outcome(name, "Java BPE read from the GGUF", vectors, fromGguf::encode));
            outcomes.add(outcome(name, "Java BPE read from llmgraph's tokenizer.json", vectors, back::encode));
            Path rewritten = folder.resolve("rewritten.gguf");
            back.writeVocabulary(rewritten);
            try (Tokenizer llama = Tokenizer.open(rewritten)) {
                outcomes.add(outcome(name, "libllama on the GGUF written from it", vectors,
                        text -> llama.encode(text, false, false)));
            }
        }
        return outcomes.stream().map(o -> DynamicTest.dynamicTest(o.vocabulary() + ", " + o.encoder() + ": "
                + (o.cases() - o.failures().size()) + " of " + o.cases() + " cases match",
                () -> assertEquals(List.of(), o.failures(), o.vocabulary())));
    }

    /**
     * The tokens put around a text (Llama 3's vocabulary adds its beginning-of-text token: llama.cpp does so for the
     * name llama-bpe where the file does not say, and the tokenizer.json llmgraph writes says so in its post
     * processor), as libllama puts them with add_special = true on the original file.
     */
    @TestFactory
    Stream<DynamicTest> theTokensAroundATextAreLibllamas(@TempDir Path dir) {
        String text = "Hello world, 12345!";
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : VOCABULARIES) {
            Path gguf = LlamaSource.directory().resolve("models/ggml-vocab-" + name + ".gguf");
            BpeTokenizer back = writeAndRead(GgufBpe.read(gguf), dir.resolve(name));
            int[] java = TextTokenizer.of(back).encode(text, true, false), llama;
            try (Tokenizer libllama = Tokenizer.open(gguf)) {
                llama = libllama.encode(text, true, false);
            }
            tests.add(DynamicTest.dynamicTest(name + (back.markers().addsBos() ? ": adds " : ": adds no ")
                    + "beginning-of-text token", () -> assertArrayEquals(llama, java, name)));
        }
        return tests.stream();
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

    static BpeTokenizer writeAndRead(BpeTokenizer bpe, Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TokenizerJson.write(bpe, folder.resolve("tokenizer.json"));
        TokenizerJson.writeConfig(bpe, null, folder.resolve("tokenizer_config.json"));
        return TokenizerJson.read(folder);
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
