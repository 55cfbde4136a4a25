package dev.llmgraph.tokenize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Byte-level BPE training on texts small enough to follow by hand, and what bad input gets told. */
class BpeTrainerTest {

    @Test
    void learnsTheMostFrequentPairsFirstAsWorkedOutByHand() {
        // Words: "abab", " abab" x2, " cd" (a space reads Ġ). Pair counts: (a,b) 6, (b,a) 3, (Ġ,a) 2, (Ġ,c) 1,
        // (c,d) 1 -> merge "a b". Then (ab,ab) 3, (Ġ,ab) 2 -> "ab ab"; then (Ġ,abab) 2 -> "Ġ abab"; then no
        // pair occurs twice, so training stops below the size asked for.
        BpeTokenizer bpe = BpeTrainer.train("abab abab abab cd", 1000);
        assertEquals(List.of("a b", "ab ab", "Ġ abab"), bpe.merges());
        assertEquals(259, bpe.size());
        assertArrayEquals(new int[] {258, 'c', 'd'}, bpe.encode(" ababcd"));
        assertArrayEquals(new int[] {257, 256}, bpe.encode("ababab")); // "ab ab" merges leftmost first
        assertEquals(" ababcd", bpe.decode(258, 'c', 'd'));
    }

    @Test
    void stopsAtTheVocabularySizeAskedFor() {
        BpeTokenizer bpe = BpeTrainer.train("abab abab abab cd", 258, "<|endoftext|>");
        assertEquals(List.of("a b"), bpe.merges());
        assertEquals(258, bpe.size());
        assertEquals(257, bpe.specialId("<|endoftext|>"));
        assertEquals("ab<|endoftext|>", bpe.decode(256, 257));
    }

    @Test
    void neverMergesIntoASpecialToken() {
        BpeTokenizer bpe = BpeTrainer.train("ab ab ab ab", 300, "ab");
        assertEquals(List.of("Ġ a", "Ġa b"), bpe.merges());
    }

    @Test
    void everyTextEncodesAndDecodesBack() {
        BpeTokenizer bpe = BpeTrainer.train("the cat sat on the mat, the cat ate", 300);
        String text = "Ünïcode 漢字 and emoji 🙂\ttabs\n\n  spaces";
        assertEquals(text, bpe.decode(bpe.encode(text)));
    }

    @Test
    void reportsTheMergesMadeAndWhyItStoppedEarly() {
        List<String> seen = new java.util.ArrayList<>();
        BpeTrainer.train("abab abab abab cd", 1000, (stage, done, total, note) -> seen.add(stage + " " + done + "/"
                + total + " " + note));
        assertEquals(List.of("BPE: merges 744/744 3 merges (no pair left that occurs twice)"), seen);
        BpeTrainer.train("the cat sat on the mat", 300, TrainingProgress.shown()); // no terminal needed
    }

    @Test
    void refusesAnEmptyCorpus() {
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train("", 300));
        assertEquals("the corpus is empty; give the text to learn the vocabulary from", e.getMessage());
    }

    @Test
    void refusesSpecialTokensThatAreNotDistinctNonEmptyStrings() {
        for (String[] specials : new String[][] {{"<s>", "<s>"}, {""}, {"<s>", null}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train("some text", 300, specials));
            assertEquals("special tokens must be distinct and non-empty, got " + java.util.Arrays.toString(specials),
                    e.getMessage());
        }
    }

    @Test
    void refusesAVocabularySmallerThanTheBytes() {
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train("some text", 200, "<s>"));
        assertEquals("vocabSize 200 is smaller than the 256 byte tokens plus 1 special tokens that every byte-level "
                + "vocabulary holds; ask for at least 257", e.getMessage());
    }

    @Test
    void refusesTextThatIsNotUnicode() {
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train("ab\uD800cd", 300));
        assertEquals("the corpus holds a lone UTF-16 surrogate U+D800 at index 2, which is not text (no UTF-8 form); "
                + "remove it or read the text with a strict UTF-8 decoder", e.getMessage());
    }

    @Test
    void namesTheOffsetOfBytesThatAreNotUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("corpus.txt");
        Files.write(file, new byte[] {'a', 'b', (byte) 0xC3, '(', 'c'});
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(file, 300));
        assertEquals(file + " is not UTF-8 text: the bytes at offset 2 do not form a character; convert the file "
                + "to UTF-8 (e.g. iconv -t UTF-8)", e.getMessage());
    }
}
