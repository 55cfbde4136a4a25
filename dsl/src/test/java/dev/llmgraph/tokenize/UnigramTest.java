package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.llama.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unigram: normalisation and Viterbi worked out by hand, EM with pruning, and libllama as the referee. */
class UnigramTest {

    @Test
    void normalisesSpacesAsLlamaCppDoesWithoutACharacterMap() {
        assertEquals("▁It's▁▁two", UnigramTokenizer.normalize("It's  two"));
        assertEquals("▁▁▁a▁", UnigramTokenizer.normalize("  a "));      // the prefix goes before the first non-space
        assertEquals("▁tab\tand\nline", UnigramTokenizer.normalize("tab\tand\nline")); // only U+0020 is a space
        assertEquals("▁▁", UnigramTokenizer.normalize("  "));
        assertEquals("", UnigramTokenizer.normalize(""));
    }

    @Test
    void cutsTextIntoThePiecesOfHighestTotalScoreAsWorkedOutByHand() {
        // Ids 3..7: ▁ -2, a -2, b -2, ▁a -3, ab -2.5. "ab" reads "▁ab": ▁|a|b -6, ▁a|b -5, ▁|ab -4.5 -> ▁|ab.
        var unigram = new UnigramTokenizer(List.of("▁", "a", "b", "▁a", "ab"), new float[] {-2, -2, -2, -3, -2.5f});
        assertArrayEquals(new int[] {3, 7}, unigram.encode("ab"));
        // "a🙂🙂b": no piece for 🙂, each scores -3 - 10 (the lowest piece less 10) as <unk>; ▁a|<unk>|<unk>|b
        // (-3 -13 -13 -2) beats ▁|a|... by 1, and the two unknowns become one <unk>.
        assertArrayEquals(new int[] {6, 2, 5}, unigram.encode("a🙂🙂b"));
        assertEquals("a<unk>b", unigram.decode(6, 2, 5));
        assertEquals("ab ab", unigram.decode(unigram.encode("ab ab")));
        assertArrayEquals(new int[] {}, unigram.encode(""));
    }

    @Test
    void keepsTheLikelyPieceAndEveryCharacter() {
        // Words: "▁ab" x3. Seeds: ▁ a b (3 each), ▁a ab (3 each), ▁ab (3). EM makes ▁ab nearly certain (the
        // cutting with fewest pieces wins the likelihood), so ▁a and ab are expected under half a time and the
        // M-step drops them; the characters stay however rare. ▁ab scores highest, the characters tie and follow
        // in code point order.
        UnigramTokenizer unigram = UnigramTrainer.train("ab ab ab", 7);
        assertEquals(List.of("<pad>", "</s>", "<unk>", "▁ab", "a", "b", "▁"), unigram.tokens());
        assertArrayEquals(new int[] {3, 3}, unigram.encode("ab ab"));
        assertArrayEquals(new int[] {6, 5, 4}, unigram.encode("ba"));
        assertTrue(unigram.score(3) > unigram.score(4), unigram.score(3) + " vs " + unigram.score(4));
    }

    @Test
    void reportsProgressStageByStage() {
        List<String> seen = new ArrayList<>();
        UnigramTrainer.train("ab ab ab", 7, (stage, done, total, note) -> seen.add(stage + " " + done + "/" + total));
        assertEquals("Unigram: seed pieces 1/16", seen.getFirst());
        assertTrue(seen.contains("Unigram: seed pieces 16/16"), seen.toString());
        assertEquals("Unigram: EM and pruning 1/1", seen.getLast()); // the M-step alone reached the size
    }

    @Test
    void refusesAnEmptyCorpusAndAVocabularySmallerThanTheAlphabet() {
        var empty = assertThrows(IllegalArgumentException.class, () -> UnigramTrainer.train("", 100));
        assertEquals("the corpus is empty; give the text to learn the vocabulary from", empty.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> UnigramTrainer.train("abc abd", 6));
        assertEquals("vocabSize 6 is smaller than the 3 special tokens plus the 5 characters of the corpus (spaces "
                + "read ▁), each of which stays a piece; ask for at least 8", small.getMessage());
    }

    @Test
    void refusesTextThatIsNotUnicode(@TempDir Path dir) throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> UnigramTrainer.train("ab\uDC00cd", 100));
        assertEquals("the corpus holds a lone UTF-16 surrogate U+DC00 at index 2, which is not text (no UTF-8 form); "
                + "remove it or read the text with a strict UTF-8 decoder", e.getMessage());
        Path file = dir.resolve("corpus.txt");
        Files.write(file, new byte[] {'a', 'b', (byte) 0xFF, 'c'});
        var bytes = assertThrows(IllegalArgumentException.class, () -> UnigramTrainer.train(file, 100));
        assertEquals(file + " is not UTF-8 text: the bytes at offset 2 do not form a character; convert the file "
                + "to UTF-8 (e.g. iconv -t UTF-8)", bytes.getMessage());
        var prompt = assertThrows(IllegalArgumentException.class,
                () -> UnigramTrainer.train("ab ab", 10).encode("x\uD83D"));
        assertEquals("the text holds a lone UTF-16 surrogate U+D83D at index 1, which is not text (no UTF-8 form); "
                + "remove it or read the text with a strict UTF-8 decoder", prompt.getMessage());
    }

    @Test
    void libllamaEncodesHeldOutTextIntoTheSameIds(@TempDir Path dir) throws Exception {
        String corpus = Files.readString(Path.of("../README.md")) + Files.readString(Path.of("../bench/NOTES.md"))
                + "大语言模型的位置编码和注意力机制";
        UnigramTokenizer unigram = UnigramTrainer.train(corpus, 2000);
        assertEquals(2000, unigram.size());
        Path gguf = dir.resolve("unigram.gguf");
        unigram.writeVocabulary(gguf);
        // All of it: characters the corpus lacks (emoji, most CJK, Å) are <unk> on both sides, runs merged.
        String text = BpeLlamaCppRefereeTest.HELD_OUT;
        int[] ids = unigram.encode(text);
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertEquals(Tokenizer.Kind.UGM, llama.kind());
            assertEquals(unigram.size(), llama.size());
            assertArrayEquals(ids, llama.encode(text, false, false));
            assertEquals(UnigramTokenizer.END, llama.eos());
            var pieces = new java.io.ByteArrayOutputStream();
            for (int id : ids) {
                pieces.writeBytes(llama.pieceBytes(id));
            }
            assertEquals(unigram.decode(ids), pieces.toString(StandardCharsets.UTF_8).replaceFirst("^ ", ""));
        }
        assertTrue(java.util.Arrays.stream(ids).anyMatch(id -> id == UnigramTokenizer.UNKNOWN), "no <unk> was tested");
        String english = text.lines().findFirst().orElseThrow().replace('!', '.'); // the corpus has no '!'
        int[] englishIds = unigram.encode(english);
        assertEquals(english, unigram.decode(englishIds));
        int bytes = english.getBytes(StandardCharsets.UTF_8).length;
        // Characters alone would take a token per byte; 2000 pieces learned from ~45 KB of this repository's prose
        // roughly halve that (37-38 tokens for these 76 bytes). The margin keeps an edit of README.md, which moves a
        // word like "they" in or out of the vocabulary, from deciding the test.
        assertTrue(englishIds.length < bytes * 0.6, englishIds.length + " tokens for " + bytes + " bytes");
    }
}
