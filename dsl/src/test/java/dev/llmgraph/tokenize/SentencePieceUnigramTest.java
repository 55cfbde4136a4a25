package dev.llmgraph.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.ggml.llama.TokenizerVectors;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.TokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A published Unigram vocabulary, XLM-RoBERTa's (250,048 tokens with SentencePiece's precompiled NFKC rules, runs of
 * spaces removed: llama.cpp's {@code ggml-vocab-nomic-bert-moe.gguf}), encoded in Java against libllama on the same
 * file: llama.cpp's generic test texts (emoji, CJK, runs of spaces and newlines), and texts that the normalisation
 * rules change (full-width letters, ligatures, circled digits, combining accents, ideographic spaces). llama.cpp
 * ships no vectors for this vocabulary, so libllama is the referee; it is also the referee of the file llmgraph writes
 * of it.
 */
class SentencePieceUnigramTest {
    static final Path XLMR = LlamaSource.directory().resolve("models/ggml-vocab-nomic-bert-moe.gguf");
    static final List<String> NORMALISED = List.of("ﬁne ﬂow", "①②③ ⑩", "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ１２３", "Å Å e\u0301 é",
            "ﾃﾞｰﾀ ｶﾀｶﾅ", "™ ½ ㎏ ㍻", "  leading,   inner   and trailing  ", "tab\tnew\nline\r\n", "\u3000\u3000x",
            "[PAD250001] <mask> <s>x</s>", "no\u00a0break\u2009thin", "Ǆemal ǅ", "𝐁𝐨𝐥𝐝 𝔉𝔯𝔞𝔨𝔱𝔲𝔯", "");

    static SentencePieceUnigram xlmr;
    static List<String> texts;

    @BeforeAll
    static void read() {
        xlmr = SentencePieceUnigram.readGguf(XLMR);
        texts = new ArrayList<>();
        TokenizerVectors.read(LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf"))
                .forEach(v -> texts.add(v.input()));
        texts.addAll(NORMALISED);
    }

    @Test
    void readsTheFilesSettings() {
        assertEquals(250_048, xlmr.size());
        assertEquals(new SentencePieceUnigram.Rules(true, true), xlmr.rules());
        assertEquals(new SentencePieceUnigram.Markers(0, 2, true, true), xlmr.markers());
        assertEquals(3, xlmr.unknown());
        assertEquals(237_539, xlmr.charsmap().length);
        assertEquals("▁fine▁flow", xlmr.normalize("  ﬁne   ﬂow "));
    }

    @TestFactory
    Stream<DynamicTest> encodesAsLibllamaOnTheSameFileAndOnTheFileWrittenOfIt(@TempDir Path dir) {
        Path rewritten = dir.resolve("xlmr.gguf");
        xlmr.writeVocabulary(rewritten);
        SentencePieceUnigram back = SentencePieceUnigram.readGguf(rewritten);
        assertEquals(xlmr.size(), back.size());
        assertSameTokens(xlmr, back, "written and read back");
        assertEquals(xlmr.rules(), back.rules());
        assertEquals(xlmr.markers(), back.markers());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : List.of(XLMR, rewritten)) {
            String which = file == XLMR ? "llama.cpp's file" : "the file llmgraph wrote";
            try (Tokenizer llama = Tokenizer.open(file)) {
                tests.add(compare("plain text, " + which, text -> llama.encode(text, false, false), xlmr::encode));
                tests.add(compare("<s> and </s> around it, " + which, text -> llama.encode(text, true, false),
                        xlmr::encodeForModel));
                tests.add(compare("special-token text read, " + which, text -> llama.encode(text, false, true),
                        text -> xlmr.encode(text, true)));
            }
        }
        return tests.stream();
    }

    /**
     * As the tokenizer.json llmgraph writes (the form Hugging Face's converter gives a SentencePiece model now), and
     * as XLM-RoBERTa's published file has it (a Replace of runs of spaces by one space, a Metaspace with
     * add_prefix_space, a RobertaProcessing) and T5's older files (a WhitespaceSplit before the Metaspace): the same
     * vocabulary, encoding as libllama on the GGUF file. Hugging Face's own ids on these files are checked outside
     * CI ({@code tools/converter-check}).
     */
    @TestFactory
    Stream<DynamicTest> readsBackFromTokenizerJsonInEachForm(@TempDir Path dir) throws Exception {
        Path written = dir.resolve("tokenizer.json");
        TokenizerJson.write(xlmr, written);
        var json = (ObjectNode) HfConfig.JSON.readTree(written.toFile());
        ObjectNode hub = json.deepCopy();
        var steps = (ArrayNode) hub.get("normalizer").get("normalizers");
        steps.remove(1);                                                       // no Strip
        ((ObjectNode) steps.get(1)).put("content", " ");                       // Replace " {2,}" by " "
        hub.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁").put("add_prefix_space", true);
        ObjectNode roberta = hub.putObject("post_processor").put("type", "RobertaProcessing");
        roberta.putArray("sep").add("</s>").add(2);
        roberta.putArray("cls").add("<s>").add(0);
        roberta.put("trim_offsets", true).put("add_prefix_space", true);
        ObjectNode t5 = json.deepCopy();
        t5.set("normalizer", json.get("normalizer").get("normalizers").get(0).deepCopy());   // Precompiled alone
        ArrayNode split = t5.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
        split.addObject().put("type", "WhitespaceSplit");
        split.addObject().put("type", "Metaspace").put("replacement", "▁").put("prepend_scheme", "always")
                .put("split", true);
        List<String> unpadded = texts.stream().filter(text -> !text.contains("[PAD")).toList();
        List<DynamicTest> tests = new ArrayList<>();
        try (Tokenizer llama = Tokenizer.open(XLMR)) {
            for (var form : List.of(Map.entry("llmgraph's", json), Map.entry("XLM-RoBERTa's", hub),
                    Map.entry("T5's older", t5))) {
                Path file = dir.resolve(form.getKey().replaceAll("\\W", "") + ".json");
                HfConfig.JSON.writeValue(file.toFile(), form.getValue());
                SentencePieceUnigram read = TokenizerJson.readUnigram(file);
                assertEquals(250_002, read.size(), "the 46 unused tokens that pad the GGUF's vocabulary left out");
                assertSameTokens(xlmr, read, form.getKey());
                assertEquals(xlmr.rules(), read.rules(), form.getKey());
                assertEquals(xlmr.markers(), read.markers(), form.getKey());
                assertArrayEquals(xlmr.charsmap(), read.charsmap(), form.getKey());
                tests.add(compare(form.getKey() + " tokenizer.json, <s> and </s> around the text", unpadded,
                        text -> llama.encode(text, true, false), read::encodeForModel));
            }
        }
        return tests.stream();
    }

    /** The first {@code actual.size()} tokens of {@code expected}, with their kinds and scores. */
    private static void assertSameTokens(SentencePieceUnigram expected, SentencePieceUnigram actual, String label) {
        for (int id = 0; id < actual.size(); id++) {
            if (!expected.tokens().get(id).equals(actual.tokens().get(id))
                    || expected.kind(id) != actual.kind(id) || expected.score(id) != actual.score(id)) {
                throw new AssertionError(label + ": token " + id + " is '" + actual.tokens().get(id) + "' "
                        + actual.kind(id) + " " + actual.score(id) + ", not '" + expected.tokens().get(id) + "' "
                        + expected.kind(id) + " " + expected.score(id));
            }
        }
    }

    private static DynamicTest compare(String name, Function<String, int[]> libllama, Function<String, int[]> java) {
        return compare(name, texts, libllama, java);
    }

    private static DynamicTest compare(String name, List<String> texts, Function<String, int[]> libllama,
                                       Function<String, int[]> java) {
        List<String> differing = new ArrayList<>();
        for (String text : texts) {
            int[] expected = libllama.apply(text), actual = java.apply(text);
            if (!Arrays.equals(expected, actual)) {
                differing.add("'" + text + "': libllama " + Arrays.toString(expected) + ", Java "
                        + Arrays.toString(actual));
            }
        }
        return DynamicTest.dynamicTest(name + ": " + (texts.size() - differing.size()) + " of " + texts.size()
                + " texts alike", () -> assertEquals(List.of(), differing));
    }

    /**
     * Without precompiled rules or removed spaces: a vocabulary llmgraph trained, read from the GGUF file it wrote,
     * encodes as libllama does on that file (characters the vocabulary lacks become one unknown token), and decodes.
     */
    @Test
    void aTrainedVocabularyReadBackEncodesAsLibllama(@TempDir Path dir) {
        UnigramTokenizer trained = UnigramTrainer.train("the cat sat on the mat, the dog sat on the log. "
                .repeat(20), 40);
        Path file = dir.resolve("trained.gguf");
        trained.writeVocabulary(file);
        SentencePieceUnigram read = SentencePieceUnigram.readGguf(file);
        assertEquals(null, read.charsmap());
        try (Tokenizer llama = Tokenizer.open(file)) {
            for (String text : List.of("the cat", "  the  dog sat ", "a zebra!", "ﬁ", "")) {
                assertArrayEquals(llama.encode(text, false, false), read.encode(text), text);
            }
        }
        assertEquals("the dog", read.decode(read.encode("the dog")).strip());
    }

    /**
     * T5's sentinel tokens as T5's tokenizer.json has them (special added tokens after the pieces, {@code <extra_id_1>}
     * before {@code <extra_id_0>}, scored 0) are read as user-defined tokens, matched wherever they stand, so that a
     * span-corruption prompt is encoded as Hugging Face encodes it: each stretch between them on its own (a ▁ before
     * it, the spaces at its ends dropped), the sentinels between. libllama on the GGUF llmgraph writes gives the same
     * ids without special text asked for; the tokenizer.json written again marks them special.
     */
    @Test
    void t5sSentinelsAreMatchedWhereverTheyStand(@TempDir Path dir) throws Exception {
        UnigramTrainer.train("the small model reads the text and writes it again. ".repeat(20), 60)
                .writeVocabulary(dir.resolve("trained.gguf"));
        SentencePieceUnigram read = SentencePieceUnigram.readGguf(dir.resolve("trained.gguf"));
        float[] scores = new float[read.size()];
        for (int id = 0; id < scores.length; id++) {
            scores[id] = read.score(id);
        }
        var t5Rules = new SentencePieceUnigram.Rules(true, true);   // T5's: a ▁ before a text, extra spaces removed
        var trained = new SentencePieceUnigram(read.tokens(), read.kinds(), scores, t5Rules, null, read.unknown(),
                read.markers());
        Path json = dir.resolve("tokenizer.json");
        TokenizerJson.write(trained, json);
        ObjectNode root = (ObjectNode) HfConfig.JSON.readTree(json.toFile());
        ArrayNode vocab = (ArrayNode) root.get("model").get("vocab"), added = (ArrayNode) root.get("added_tokens");
        for (int n = 1; n >= 0; n--) {
            String sentinel = "<extra_id_" + n + ">";
            added.addObject().put("id", vocab.size()).put("content", sentinel).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            vocab.addArray().add(sentinel).add(0.0);
        }
        HfConfig.JSON.writeValue(json.toFile(), root);
        SentencePieceUnigram t5 = TokenizerJson.readUnigram(json);
        int extra1 = trained.size(), extra0 = trained.size() + 1;
        assertEquals(List.of(TokenKind.ADDED, TokenKind.ADDED), List.of(t5.kind(extra1), t5.kind(extra0)));
        String prompt = "the <extra_id_0> reads the  <extra_id_1>again.";
        List<Integer> expected = new ArrayList<>();
        Arrays.stream(t5.encode("the")).forEach(expected::add);
        expected.add(extra0);
        Arrays.stream(t5.encode(" reads the  ")).forEach(expected::add);
        expected.add(extra1);
        Arrays.stream(t5.encode("again.")).forEach(expected::add);
        assertEquals(expected, Arrays.stream(t5.encode(prompt)).boxed().toList());
        assertArrayEquals(t5.encode("reads the"), t5.encode(" reads the  "), "the spaces at a stretch's ends dropped");
        Path gguf = dir.resolve("t5.gguf");
        t5.writeVocabulary(gguf);
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertEquals(expected, Arrays.stream(llama.encode(prompt, false, false)).boxed().toList());
        }
        Path back = dir.resolve("back.json");
        TokenizerJson.write(t5, back);
        JsonNode written = HfConfig.JSON.readTree(back.toFile()).get("added_tokens");
        assertEquals(2, java.util.stream.StreamSupport.stream(written.spliterator(), false)
                .filter(t -> t.get("content").asText().startsWith("<extra_id_") && t.get("special").asBoolean()).count());
        assertEquals(t5.kinds(), TokenizerJson.readUnigram(back).kinds());
    }

    /**
     * A map built from five rules by hand: the longest rule that matches wins ("ｍｏ" before a rule for "ｍ" alone),
     * a rule may remove (U+200B), and what no rule matches stays as it is; then the spaces are removed.
     */
    @Test
    void appliesTheLongestRuleAtEachPlace() {
        byte[] map = TinyCharsmap.of(Map.of("ﬁ", "fi", "ｍ", "m", "ｍｏ", "MO", "\u3000", " ", "\u200b", ""));
        var unigram = new SentencePieceUnigram(List.of("<unk>", "▁"), List.of(TokenKind.SPECIAL, TokenKind.NORMAL),
                new float[] {0, -1}, new SentencePieceUnigram.Rules(true, true), map, 0,
                new SentencePieceUnigram.Markers(-1, -1, false, false));
        assertEquals("▁fine▁MOm▁xy", unigram.normalize("  ﬁne\u3000\u3000ｍｏｍ x\u200by "));
        assertArrayEquals(map, unigram.charsmap());
    }

    @Test
    void damagedRulesAreRefusedInWords() {
        var tokens = List.of("<unk>", "▁a");
        var kinds = List.of(TokenKind.SPECIAL, TokenKind.NORMAL);
        var markers = new SentencePieceUnigram.Markers(-1, -1, false, false);
        var rules = new SentencePieceUnigram.Rules(true, false);
        var tooShort = assertThrows(IllegalArgumentException.class, () -> new SentencePieceUnigram(tokens, kinds,
                new float[2], rules, new byte[] {1, 0}, 0, markers));
        assertEquals("the precompiled character map is 2 bytes; it starts with a 4-byte length", tooShort.getMessage());
        var longer = assertThrows(IllegalArgumentException.class, () -> new SentencePieceUnigram(tokens, kinds,
                new float[2], rules, new byte[] {8, 0, 0, 0, 0, 0, 0, 0}, 0, markers));
        assertEquals("the precompiled character map says its trie takes 8 bytes, but a trie is a whole number of "
                + "4-byte nodes, at least one, within the map's 8 bytes", longer.getMessage());
        // one node whose offset leads outside the trie: found when the map is read, every path followed
        var outside = assertThrows(IllegalArgumentException.class, () -> new SentencePieceUnigram(tokens, kinds,
                new float[2], rules, new byte[] {4, 0, 0, 0, 0, 4, 0, 0}, 0, markers));
        assertEquals("the precompiled character map's trie leads to node 3, outside its 1 nodes", outside.getMessage());
        var noBos = assertThrows(IllegalArgumentException.class, () -> new SentencePieceUnigram(tokens, kinds,
                new float[2], rules, null, 0, new SentencePieceUnigram.Markers(-1, 1, true, false)));
        assertEquals("the vocabulary adds a beginning-of-text token it does not name", noBos.getMessage());
    }
}
