package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.llama.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp is the referee of the BPE tokenizers llmgraph trains: the vocabulary written as a GGUF, loaded
 * by libllama, must encode held-out text into exactly the ids the Java encoder gives, and its pieces for
 * those ids must give the text back. (Its whole-sequence {@code llama_detokenize} would not: for GPT-2's
 * pre-tokenizer llama.cpp applies GPT-2's clean-up and drops the space before "...", "." or "!", as it does
 * for real GPT-2 files.)
 */
class BpeLlamaCppRefereeTest {
    /** Text the tokenizer was not trained on: prose, code, digits, CJK, emoji, odd whitespace, contractions. */
    static final String HELD_OUT = """
            It's a small model: we'll train it, and they've said it'd work. Don't panic!
            for (int i = 0; i < 42; i++) { total += weights[i] * 0.5f; }   // 3.14159 ... 1,000,000
            大语言模型的位置编码：RoPE、ALiBi 和 T5 的相对位置偏置。注意力机制 attention 的 KV 缓存。
            Emoji 🙂🚀, accents café naïve Ångström, tabs\there,  two  spaces,\u00a0no-break, end.\n\n
            """;

    @Test
    void libllamaEncodesHeldOutTextIntoTheSameIds(@TempDir Path dir) throws Exception {
        // The corpus: this repository's own prose (README, benchmark notes), present in every checkout.
        String corpus = Files.readString(Path.of("../README.md")) + Files.readString(Path.of("../bench/NOTES.md"));
        BpeTokenizer bpe = BpeTrainer.train(corpus, 2000, "<|endoftext|>");
        Path gguf = dir.resolve("bpe.gguf");
        bpe.writeVocabulary(gguf);
        int[] ids = bpe.encode(HELD_OUT);
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertEquals(bpe.size(), llama.size());
            assertEquals(Tokenizer.Kind.BPE, llama.kind());
            assertArrayEquals(ids, llama.encode(HELD_OUT, false, false));
            var pieces = new java.io.ByteArrayOutputStream();
            for (int id : ids) {
                pieces.writeBytes(llama.pieceBytes(id));
            }
            assertEquals(HELD_OUT, pieces.toString(StandardCharsets.UTF_8));
            assertEquals(bpe.specialId("<|endoftext|>"), llama.eos());
        }
        assertEquals(HELD_OUT, bpe.decode(ids));
        // The merges matter: held-out English prose takes under half as many tokens as bytes.
        String english = HELD_OUT.lines().findFirst().orElseThrow();
        int tokens = bpe.encode(english).length, bytes = english.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(tokens < bytes * 0.5, tokens + " tokens for " + bytes + " bytes");
    }

    /**
     * Added tokens that are not special (Hugging Face's; llama.cpp's user-defined type, as Qwen2's GGUF stores its
     * padding) are one token wherever their text stands, the longest first where two start alike, even when special
     * text is not asked for; and a padded vocabulary's unused tokens are never produced. libllama is the referee.
     */
    @Test
    void addedTokensAreMatchedWhereverTheyStandAsLibllamaMatchesThem(@TempDir Path dir) {
        BpeTokenizer trained = BpeTrainer.train(HELD_OUT.repeat(2), 400, "<|endoftext|>");
        List<String> tokens = new ArrayList<>(trained.tokens());
        List<TokenKind> kinds = new ArrayList<>(trained.kinds());
        for (String added : List.of("[PAD1]", "<ab>", "<ab><cd>")) {
            tokens.add(added);
            kinds.add(TokenKind.ADDED);
        }
        BpeTokenizer bpe = new BpeTokenizer(tokens, kinds, trained.merges(), trained.rules(), trained.markers())
                .paddedTo(trained.size() + 5);
        String text = "a[PAD1]b<ab><cd> <ab>[PAD100] [PAD]<|endoftext|>";
        int[] ids = bpe.encode(text);
        int pad1 = trained.size(), ab = pad1 + 1, abcd = pad1 + 2;
        assertEquals(List.of(pad1, abcd, ab), Arrays.stream(ids).filter(id -> id >= pad1).boxed().toList());
        Path gguf = dir.resolve("added.gguf");
        bpe.writeVocabulary(gguf);
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            assertArrayEquals(ids, llama.encode(text, false, false));
        }
        assertEquals(text, bpe.decode(ids));
    }
}
