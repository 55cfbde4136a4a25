package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.ggml.llama.TokenizerVectors;
import dev.llmgraph.io.hf.TokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every pre-tokenizer llmgraph names for llama.cpp, most of them without a vocabulary of llama.cpp's to test them on
 * (GPT-4o's, Tekken, DeepSeek V3's, ...): GPT-2's vocabulary is given each one's rules, written as a GGUF under its
 * name (and under each other name llama.cpp gives the same rules), and encoded by libllama; Java must give
 * libllama's ids for llama.cpp's 46 test texts and for texts aimed at each expression. A split that differs shows
 * in the ids: no merge crosses a word's edge. The vocabulary is also written as a tokenizer.json and read back into
 * the same named pre-tokenizer, as a checkpoint's folder would be.
 */
class NamedPreTokenizersTest {
    /** Texts aimed at the expressions: digit groups, letter case, CJK and kana, symbols before letters, breaks. */
    static final List<String> AIMED = List.of(
            "1234567 and 12,345,678.90 or 0.5; 2024-12-07 at 10:30, x1y22z333",
            "camelCaseWord HTTPServer getHTTPResponseCode iPhone McDonald's XMLHttpRequest ABCdef aBC",
            "I'm sure they've said it'd work; DON'T PANIC, we'LL see. o'clock",
            "DeepSeek 深度求索的模型：日本語のひらがなと カタカナ、 漢字한국어 텍스트。中文数字123和English混合",
            "path/to/file.txt and https://example.com/a?b=c#d, ./run.sh --flag=1 && echo $HOME | wc -l",
            "tabs\there\n\nnew  lines\r\n  and   spaces \n\n\n end  ",
            "@user #tag $price (parens) [brackets] {braces} <tags> \"quoted\" 'single' `code` ~tilde^caret",
            "  leading spaces, trailing spaces   \u00a0no-break\u2003em-space\u3000ideographic",
            "Ünïcödé naïve café Ångström résumé ÀÉÎÕÜ straße",
            "Ελληνικά Русский текст العربية עברית हिन्दी ไทย",
            "😀🚀 emoji 👩‍💻 and ✨✨ symbols ±×÷ ≤≥ → ∞",
            "a\nb\r\nc\rd\n\n\ne)\n\n(f\n/g/\n",
            "x'S y'T 'Ve 'RE 'Ll 'D 'M --'s",
            "méxicoÑu aΣb ÑANDÚes ǅemal ǈubav",
            "我想在apple工作1314151天～ 1314151 x1314151");

    static BpeTokenizer gpt2;
    static List<String> texts;

    @BeforeAll
    static void readVocabulary() {
        Path models = LlamaSource.directory().resolve("models");
        gpt2 = GgufBpe.read(models.resolve("ggml-vocab-gpt-2.gguf"));
        texts = new ArrayList<>(AIMED);
        TokenizerVectors.read(models.resolve("ggml-vocab-gpt-2.gguf")).forEach(v -> texts.add(v.input()));
    }

    /**
     * Where libllama parts from Hugging Face's tokenizers, and so from llmgraph, which cuts words as the tokenizer a
     * model was trained with does ({@link #javaCutsWordsAsHuggingFaceWhereLibllamaDoesNot}). For Tiny Aya's rules
     * llama.cpp keeps the original expression, whose upper- and lower-case letter classes its regex engine reads as
     * one class of letters (so " iPhone" stays one word), and groups digits in threes from the right before a
     * letter too, where the expression's word boundary {@code \b} is not. A text holding one of these is one where
     * libllama parts from Hugging Face.
     */
    static final Map<String, List<String>> LIBLLAMA_PARTS_FROM_HUGGING_FACE = Map.of(
            "tiny_aya", List.of(" iPhone", "1314151天"));

    @TestFactory
    Stream<DynamicTest> javaEncodesAsLibllamaUnderEveryName(@TempDir Path dir) {
        List<DynamicTest> tests = new ArrayList<>();
        for (PreTokenizer pre : PreTokenizer.named()) {
            BpeTokenizer bpe = new BpeTokenizer(gpt2.tokens(), gpt2.kinds(), gpt2.merges(), BpeTokenizer.Rules.of(pre),
                    gpt2.markers());
            List<String> markers = LIBLLAMA_PARTS_FROM_HUGGING_FACE.getOrDefault(pre.llamaCppName(), List.of());
            Predicate<String> parts = text -> markers.stream().anyMatch(text::contains);
            for (String name : PreTokenizer.llamaCppNames(pre)) {
                Path gguf = dir.resolve(name + ".gguf");
                var writer = VocabularyFile.llama("GPT-2's vocabulary, pre-tokenizer " + name, bpe.size());
                bpe.writeTo(writer);
                writer.putString("tokenizer.ggml.pre", name).write(gguf);
                List<String> cases = name.equals(pre.llamaCppName()) ? texts : AIMED;
                List<String> failures = new ArrayList<>();
                try (Tokenizer llama = Tokenizer.open(gguf)) {
                    BpeTokenizer read = GgufBpe.read(gguf);
                    assertEquals(pre, read.rules().preTokenizer(), name);
                    for (String text : cases) {
                        int[] expected = llama.encode(text, false, false), actual = read.encode(text);
                        if (Arrays.equals(expected, actual) != parts.test(text)) {
                            continue;
                        }
                        failures.add(whereTheyPart(text, expected, actual));
                    }
                }
                long apart = cases.stream().filter(parts).count();
                tests.add(DynamicTest.dynamicTest(name + " (" + pre.llamaCppName() + "): " + (cases.size() - apart)
                        + " of " + cases.size() + " texts as libllama" + (apart == 0 ? "" : ", " + apart + " as Hugging "
                        + "Face where libllama is not"), () -> assertEquals(List.of(), failures, name)));
            }
        }
        return tests.stream();
    }

    /**
     * The tokenizer.json llmgraph writes of each names its rules as Hugging Face does (a Sequence of Splits, then a
     * ByteLevel that cuts nothing) and reads back into the same named pre-tokenizer: what lets {@code convert} write
     * the name llama.cpp needs for a checkpoint folder.
     */
    @Test
    void eachNamedOneReadsBackFromItsTokenizerJson(@TempDir Path dir) throws Exception {
        for (PreTokenizer pre : PreTokenizer.named()) {
            BpeTokenizer bpe = new BpeTokenizer(gpt2.tokens(), gpt2.kinds(), gpt2.merges(), BpeTokenizer.Rules.of(pre),
                    gpt2.markers());
            Path folder = Files.createDirectories(dir.resolve(pre.llamaCppName()));
            TokenizerJson.write(bpe, folder.resolve("tokenizer.json"));
            TokenizerJson.writeConfig(bpe, null, folder.resolve("tokenizer_config.json"));
            BpeTokenizer back = (BpeTokenizer) TokenizerJson.read(folder);
            assertEquals(bpe.rules(), back.rules(), pre.llamaCppName());
            assertEquals(pre.llamaCppName(), back.rules().preTokenizer().llamaCppName());
        }
    }

    /**
     * Java's words where libllama parts from Hugging Face: the words Hugging Face's tokenizers (0.23.2) gave for Tiny
     * Aya's expressions. Outside CI, the converter check ({@code tools/converter-check}) has that library encode
     * llama.cpp's texts and texts like those here with the tokenizer.json llmgraph writes of each named one, and
     * llmgraph must give its ids.
     */
    @Test
    void javaCutsWordsAsHuggingFaceWhereLibllamaDoesNot() {
        assertEquals(List.of("camel", "Case", "Word", " HTTPServer", " get", "HTTPResponse", "Code", " i", "Phone",
                " Mc", "Donald's", " XMLHttp", "Request", " ABCdef", " a", "BC"),
                PreTokenizer.TINY_AYA.words(AIMED.get(1)));
        assertEquals(List.of("我想在apple工作", "131", "415", "1", "天", "～", " ", "1", "314", "151", " x", "1", "314", "151"),
                PreTokenizer.TINY_AYA.words(AIMED.get(14)));
    }

    /**
     * Tiny Aya's digit step, computed in one pass ({@link DigitGroups}), cuts as Java's regex engine does with the
     * expression itself (given as an equal expression the one pass does not take): 3,000 random texts of digits
     * (ASCII, Arabic-Indic, mathematical bold), letters, a combining mark, spaces, underscores and punctuation. A run of
     * 200,000 digits, which the regex engine takes a minute over, is cut at once.
     */
    @Test
    void tinyAyasDigitGroupsCutAsTheirExpression() {
        PreTokenizer byRegex = PreTokenizer.of(List.of("(?:" + DigitGroups.EXPRESSION + ")"));
        PreTokenizer onePass = PreTokenizer.of(List.of(DigitGroups.EXPRESSION));
        String[] alphabet = {"1", "2", "0", "\u0663", "\uD835\uDFCF", "a", "Z", "大", "\u0301", " ", "_", ".", ",", "\n"};
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(24); n > 0; n--) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            assertEquals(byRegex.words(text.toString()), onePass.words(text.toString()), text.toString());
        }
        List<String> groups = onePass.words("1".repeat(200_000) + "!");
        assertEquals(2 + 200_000 / 3, groups.size());
        assertEquals(List.of("11", "111", "111"), groups.subList(0, 3));
        assertEquals("!", groups.getLast());
    }

    /** The text's opening, and the tokens of each encoder from a little before the first where they part. */
    private static String whereTheyPart(String text, int[] libllama, int[] java) {
        int first = Arrays.mismatch(libllama, java);
        String opening = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return "'" + opening + "': from token " + first + ", libllama " + pieces(libllama, first) + ", Java "
                + pieces(java, first);
    }

    private static List<String> pieces(int[] ids, int first) {
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, first - 3); i < Math.min(ids.length, first + 6); i++) {
            out.add(gpt2.decode(new int[] {ids[i]}));
        }
        return out;
    }
}
