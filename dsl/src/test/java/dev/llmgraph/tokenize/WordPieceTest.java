package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.llama.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** WordPiece: training worked out by hand, longest-match encoding, and libllama as the referee. */
class WordPieceTest {

    @Test
    void mergesThePairThatIsMostLikelyTogetherAsWorkedOutByHand() {
        // Words: "hug" x3, "pug" x2, "hugs" x1. Symbols: ▁h 4, ▁p 2, u 6, g 6, s 1. Pairs (count, score):
        // (▁h,u) 4, 4/(4*6) = 0.167; (▁p,u) 2, 2/12 = 0.167; (u,g) 6, 6/36 = 0.167; (g,s) 1 (seen once, never).
        // All tie at 1/6: the most frequent wins, (u,g) -> "ug". Then (▁h,ug) 4/(4*6) and (▁p,ug) 2/(2*6) tie
        // again: (▁h,ug) -> "▁hug". Then (▁p,ug) 2/(2*2) = 0.5 -> "▁pug"; (▁hug,s) is seen once: stop.
        WordPieceTokenizer wp = WordPieceTrainer.train("hug pug hug hugs pug hug", 100);
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "▁h", "u", "g", "▁p", "s", "ug", "▁hug",
                "▁pug"), wp.tokens());
        assertArrayEquals(new int[] {11, 9, 12, 1}, wp.encode("hugs pug bug"));  // "bug": no "▁b" -> [UNK]
        assertEquals("hugs pug [UNK]", wp.decode(11, 9, 12, 1));
    }

    @Test
    void reportsThePiecesMade() {
        List<String> seen = new java.util.ArrayList<>();
        WordPieceTrainer.train("hug pug hug hugs pug hug", 100, (stage, done, total, note) -> seen.add(stage + " "
                + done + "/" + total + " " + note));
        // 100 - 5 special - 5 characters = 90 wanted, one report per whole 1% (here: each piece), then the end.
        assertEquals(List.of("WordPiece: merges 1/90 ug", "WordPiece: merges 2/90 ▁hug",
                "WordPiece: merges 3/90 ▁pug", "WordPiece: merges 90/90 3 pieces made (no pair left that occurs twice)"), seen);
    }

    @Test
    void refusesAVocabularySmallerThanTheAlphabet() {
        var e = assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.train("abc abd", 6));
        assertEquals("vocabSize 6 is smaller than the 5 special tokens plus the 4 characters of the corpus (as word "
                + "starts and continuations); ask for at least 9", e.getMessage());
        var blank = assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.train(" \n\t ", 100));
        assertEquals("the corpus has no words (it is empty or only whitespace and control characters); give the text "
                + "to learn the vocabulary from", blank.getMessage());
    }

    @Test
    void libllamaEncodesHeldOutTextIntoTheSameIds(@TempDir Path dir) throws Exception {
        String corpus = Files.readString(Path.of("../README.md")) + Files.readString(Path.of("../bench/NOTES.md"))
                + "大语言模型的位置编码和注意力机制";
        WordPieceTokenizer wp = WordPieceTrainer.train(corpus, 1500);
        Path gguf = dir.resolve("wordpiece.gguf");
        wp.writeVocabulary(gguf);
        String text = BpeLlamaCppRefereeTest.HELD_OUT;
        int[] ids = wp.encode(text);
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertEquals(Tokenizer.Kind.WPM, llama.kind());
            assertEquals(wp.size(), llama.size());
            assertArrayEquals(ids, llama.encode(text, false, false));
        }
    }
}
