package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.ggml.llama.Tokenizer;
import dev.llmgraph.ggml.llama.TokenizerVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SentencePiece model files written here from llama.cpp's vocabulary files (the same pieces, scores, types, ids and
 * normalisation rules, in sentencepiece_model.proto's field numbers, the way llama.cpp's converter read them from the
 * originals; written with {@link ProtoWire}): XLM-RoBERTa's Unigram and Llama 2's BPE, read back by {@link SentencePieceModelFile}, encode llama.cpp's
 * test texts as libllama does on the GGUF files. That models sentencepiece itself trained read as sentencepiece
 * encodes is checked outside CI ({@code tools/converter-check}).
 */
class SentencePieceModelFileTest {
    static final Path MODELS = LlamaSource.directory().resolve("models");

    @TempDir
    Path dir;

    @Test
    void xlmRobertasUnigramReadsAndEncodesAsLibllama() throws IOException {
        Path gguf = MODELS.resolve("ggml-vocab-nomic-bert-moe.gguf");
        SentencePieceUnigram xlmr = SentencePieceUnigram.readGguf(gguf);
        int pieces = 250_002;   // the GGUF's padding is not in the model file
        Path model = dir.resolve("sentencepiece.bpe.model");
        Files.write(model, modelProto(xlmr.tokens().subList(0, pieces), scores(xlmr, pieces), types(gguf, pieces), 1,
                false, new int[] {3, 0, 2}, xlmr.charsmap(), true, true));
        var read = assertInstanceOf(SentencePieceUnigram.class, SentencePieceModelFile.read(model));
        assertEquals(pieces, read.size());
        assertEquals(new SentencePieceUnigram.Rules(true, true), read.rules());
        assertEquals(new SentencePieceUnigram.Markers(0, 2, false, true), read.markers());
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            for (String text : texts()) {
                assertEquals(Arrays.toString(llama.encode(text, false, false)), Arrays.toString(read.encode(text)),
                        text);
            }
        }
    }

    @Test
    void llama2sBpeReadsAndEncodesAsLibllama() throws IOException {
        Path gguf = MODELS.resolve("ggml-vocab-llama-spm.gguf");
        float[] scores;
        int[] types;
        List<String> tokens;
        try (GgufFile file = GgufFile.open(gguf)) {
            tokens = file.getStringArray("tokenizer.ggml.tokens");
            scores = file.getFloatArray("tokenizer.ggml.scores");
            types = file.getIntArray("tokenizer.ggml.token_type");
        }
        Path model = dir.resolve("tokenizer.model");
        Files.write(model, modelProto(tokens, scores, types, 2, true, new int[] {0, 1, 2}, new byte[0], true, false));
        var read = assertInstanceOf(SentencePieceBpe.class, SentencePieceModelFile.read(model));
        assertEquals(SentencePieceBpe.Rules.llama(0), read.rules());
        assertEquals(new BpeVocabulary.Markers(1, 2, true), read.markers());
        try (Tokenizer llama = Tokenizer.open(gguf)) {
            for (String text : texts()) {
                assertEquals(Arrays.toString(llama.encode(text, true, false)),
                        Arrays.toString(dev.llmgraph.text.TextTokenizer.of(read).encode(text, true, false)), text);
            }
        }
    }

    @Test
    void whatIsNoSentencePieceModelIsRefusedInWords() throws IOException {
        Path junk = dir.resolve("junk.model");
        Files.write(junk, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        var e = assertThrows(IllegalArgumentException.class, () -> SentencePieceModelFile.read(junk));
        assertEquals(junk + ": is not a SentencePiece model (the message ends at byte 3, inside a field)",
                e.getMessage());
        Path word = dir.resolve("word.model");
        Files.write(word, modelProto(List.of("<unk>", "▁a"), new float[] {0, -1}, new int[] {2, 1}, 3, false,
                new int[] {0, -1, -1}, new byte[0], true, true));
        var type = assertThrows(IllegalArgumentException.class, () -> SentencePieceModelFile.read(word));
        assertEquals(word + ": the model type is 3; llmgraph reads SentencePiece's Unigram (1) and BPE (2) models",
                type.getMessage());
    }

    /**
     * A small model file damaged 3,000 ways (one to four bytes changed, or cut short): each is read, or refused with
     * an IllegalArgumentException that names the file; what is read encodes a text, or refuses it in words.
     */
    @Test
    void damagedModelFilesAreRefusedInWords() throws IOException {
        Path trained = dir.resolve("trained.gguf");
        UnigramTrainer.train("the cat sat on the mat, the dog sat on the log. ".repeat(20), 40).writeVocabulary(trained);
        Path good = dir.resolve("good.model"), bad = dir.resolve("bad.model");
        SentencePieceModelFile.write(SentencePieceUnigram.readGguf(trained), good);
        byte[] original = Files.readAllBytes(good);
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261207);
        int read = 0, refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] damaged = original.clone();
            if (i % 4 == 0) {
                damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length));
            } else {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
            }
            Files.write(bad, damaged);
            try {
                GgufVocabulary vocabulary = SentencePieceModelFile.read(bad);
                if (vocabulary instanceof SentencePieceUnigram unigram) {
                    unigram.encodeForModel("the cat sat, ﬁne!");
                }
                read++;
            } catch (IllegalArgumentException e) {
                assertEquals(true, e.getMessage().startsWith(bad + ": "), e.getMessage());
                refused++;
            }
        }
        assertEquals(3000, read + refused);
    }

    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        TokenizerVectors.read(MODELS.resolve("ggml-vocab-llama-spm.gguf")).forEach(v -> texts.add(v.input()));
        texts.addAll(List.of("ﬁne ﬂow", "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ", "  leading,   inner   and trailing  "));
        return texts;
    }

    private static float[] scores(SentencePieceUnigram unigram, int pieces) {
        float[] scores = new float[pieces];
        for (int id = 0; id < pieces; id++) {
            scores[id] = unigram.score(id);
        }
        return scores;
    }

    private static int[] types(Path gguf, int pieces) {
        try (GgufFile file = GgufFile.open(gguf)) {
            return Arrays.copyOf(file.getIntArray("tokenizer.ggml.token_type"), pieces);
        }
    }

    /**
     * A ModelProto: pieces (1: piece 1, score 2, type 3), trainer_spec (2: model_type 3, byte_fallback 35, unk_id 40,
     * bos_id 41, eos_id 42), normalizer_spec (3: precompiled_charsmap 2, add_dummy_prefix 3,
     * remove_extra_whitespaces 4), as sentencepiece_model.proto numbers them.
     */
    private static byte[] modelProto(List<String> tokens, float[] scores, int[] types, int modelType,
                                     boolean byteFallback, int[] unkBosEos, byte[] charsmap, boolean dummyPrefix,
                                     boolean removeSpaces) {
        ProtoWire.Writer model = new ProtoWire.Writer();
        for (int id = 0; id < tokens.size(); id++) {
            model.message(1, new ProtoWire.Writer().string(1, tokens.get(id)).float32(2, scores[id])
                    .varint(3, types[id]));
        }
        model.message(2, new ProtoWire.Writer().varint(3, modelType).varint(35, byteFallback ? 1 : 0)
                .varint(40, unkBosEos[0]).varint(41, unkBosEos[1]).varint(42, unkBosEos[2]));
        return model.message(3, new ProtoWire.Writer().string(1, charsmap.length > 0 ? "nmt_nfkc" : "identity")
                .bytes(2, charsmap).varint(3, dummyPrefix ? 1 : 0).varint(4, removeSpaces ? 1 : 0)).toByteArray();
    }
}
