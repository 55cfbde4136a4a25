package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Tokenizer} against the vocabulary files themselves (token lists and special ids read by
 * {@link GgufFile}) and against UTF-8 bytes for a byte-level vocabulary built here; bad ids and unusable
 * vocabularies are refused in Java.
 */
class TokenizerTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyLlamaCppVocabularyLoadsWithTheTokensOfItsFile() {
        return LlamaSource.vocabularies().stream().map(path -> DynamicTest.dynamicTest(
                path.getFileName().toString(), () -> {
                    List<String> tokens;
                    Long bos;
                    try (GgufFile gguf = GgufFile.open(path)) {
                        tokens = gguf.getStringArray("tokenizer.ggml.tokens");
                        bos = gguf.has("tokenizer.ggml.bos_token_id") ? gguf.getLong("tokenizer.ggml.bos_token_id") : null;
                    }
                    try (Tokenizer tokenizer = Tokenizer.open(path)) {
                        assertEquals(tokens.size(), tokenizer.size());
                        for (int id = 0; id < tokens.size(); id += 97) {
                            if (!tokens.get(id).isEmpty()) {
                                assertEquals(tokens.get(id), tokenizer.text(id), "token " + id);
                            }
                        }
                        if (bos != null && bos < tokens.size()) {
                            assertEquals(bos.intValue(), tokenizer.bos());
                        }
                        int[] ids = tokenizer.encode("Hello world, 123!", false, false);
                        assertTrue(ids.length > 0);
                        for (int id : ids) {
                            assertTrue(id >= 0 && id < tokenizer.size());
                        }
                    }
                }));
    }

    @Test
    void sentencePieceVocabularyAddsBosAndRendersPieces() {
        Path spm = LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf");
        List<String> tokens;
        try (GgufFile gguf = GgufFile.open(spm)) {
            tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        }
        try (Tokenizer tokenizer = Tokenizer.open(spm)) {
            assertEquals(Tokenizer.Kind.SPM, tokenizer.kind());
            assertTrue(tokenizer.addsBos());
            int hello = tokens.indexOf("\u2581Hello");
            assertArrayEquals(new int[] {tokenizer.bos(), hello}, tokenizer.encode("Hello"));
            assertEquals(" Hello", tokenizer.piece(hello));
            assertArrayEquals(new byte[] {0x41}, tokenizer.pieceBytes(tokens.indexOf("<0x41>")));
            assertEquals(tokens.get(tokenizer.bos()), tokenizer.piece(tokenizer.bos()));
            assertTrue(tokenizer.isEndOfGeneration(tokenizer.eos()));
            assertEquals("<s> Hello", tokenizer.decode(tokenizer.bos(), hello));
        }
    }

    @Test
    void byteLevelVocabularyEncodesEveryByteAsItsOwnToken() {
        Path file = dir.resolve("bytes.gguf");
        TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.BYTES).metadata().write(file);
        String text = "h\u00e9llo \uD83E\uDD99\n\t\0end";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Tokenizer tokenizer = Tokenizer.open(file)) {
            assertEquals(Tokenizer.Kind.BPE, tokenizer.kind());
            assertEquals(264, tokenizer.size());
            int[] ids = tokenizer.encode(text, false, false);
            assertArrayEquals(toUnsigned(utf8), ids);
            assertEquals(text, tokenizer.decode(ids));
            assertArrayEquals(new byte[] {(byte) 0xF0}, tokenizer.pieceBytes(0xF0)); // first byte of the llama emoji
        }
    }

    private static int[] toUnsigned(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xFF;
        }
        return out;
    }

    @Test
    void tokenIdsAreCheckedBeforeTheyReachLlamaCpp() {
        Path file = dir.resolve("bytes.gguf").toAbsolutePath();
        TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.BYTES).metadata().write(file);
        Tokenizer tokenizer = Tokenizer.open(file);
        try (tokenizer) {
            String range = " is out of range: the vocabulary of " + file + " has 264 tokens (ids 0 to 263)";
            assertEquals("token id 264" + range,
                    assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(1, 264)).getMessage());
            assertEquals("token id -1" + range,
                    assertThrows(IllegalArgumentException.class, () -> tokenizer.piece(-1)).getMessage());
            assertEquals("token id 1000" + range,
                    assertThrows(IllegalArgumentException.class, () -> tokenizer.text(1000)).getMessage());
        }
        assertEquals("the llama.cpp model of " + file + " is already closed",
                assertThrows(IllegalStateException.class, () -> tokenizer.encode("a")).getMessage());
    }

    @Test
    void vocabulariesLlamaCppWouldAbortOnAreRefused() {
        Path none = dir.resolve("none.gguf").toAbsolutePath();
        TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE).metadata().write(none);
        assertEquals(none + ": has no tokenizer (tokenizer.ggml.model is 'none'); llama.cpp can run such a model on "
                + "token ids but cannot encode text with it",
                assertThrows(GgufException.class, () -> Tokenizer.open(none)).getMessage());

        Path repeated = dir.resolve("repeated.gguf").toAbsolutePath();
        List<String> tokens = new ArrayList<>(TinyLlamaGguf.byteLevelTokens(264));
        tokens.set(260, "a");
        TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.BYTES).metadata().putStrings("tokenizer.ggml.tokens", tokens)
                .write(repeated);
        assertEquals(repeated + ": tokenizer.ggml.tokens holds the token 'a' twice (ids 97 and 260); llama.cpp aborts "
                + "the process on a repeated token, so llmgraph does not pass the file to it",
                assertThrows(GgufException.class, () -> Tokenizer.open(repeated)).getMessage());

        Path noBytes = dir.resolve("spm-without-bytes.gguf").toAbsolutePath();
        new GgufWriter().putString("general.architecture", "llama").putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", List.of("<unk>", "<s>", "</s>", "\u2581a", "b"))
                .write(noBytes);
        assertEquals(noBytes + ": is a SentencePiece vocabulary without byte tokens for 255 bytes (<0x00>, <0x01>, "
                + "<0x02>, <0x03>, ...); llama.cpp aborts the process when text needs one, so llmgraph does not "
                + "tokenize with it", assertThrows(GgufException.class, () -> Tokenizer.open(noBytes)).getMessage());

        // llama.cpp's loader looks up Phi-3's tokens in a vocabulary whose model is named like Phi-3, and fails
        // with "unordered_map::at" where they are missing (found converting a tiny Phi-3.5 with a 256-token vocabulary)
        Path phi3 = dir.resolve("phi3-named.gguf").toAbsolutePath();
        TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.BYTES).metadata().putString("general.name", "Tiny Phi3 Test")
                .write(phi3);
        assertEquals(phi3 + ": general.name 'Tiny Phi3 Test' makes llama.cpp take the vocabulary for Phi-3's and look "
                + "up its tokens </s>, <unk>, <s> and <|endoftext|>, and this one lacks </s>, <unk>, <s>, <|endoftext|>; "
                + "llama.cpp would fail to load it: give the model a name without phi-3 or phi3, or Phi-3's vocabulary",
                assertThrows(GgufException.class, () -> Tokenizer.open(phi3)).getMessage());

        Path missing = dir.resolve("missing.gguf").toAbsolutePath();
        assertEquals(missing + ": no such file",
                assertThrows(GgufException.class, () -> Tokenizer.open(missing)).getMessage());
    }
}
