package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeTrainer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufBpe;
import dev.llmgraph.tokenize.GgufSentencePiece;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.UnigramTrainer;
import dev.llmgraph.tokenize.PreTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What llmgraph's tokenizer.json reader takes and what it refuses, word for word: a tokenizer it would encode
 * otherwise than Hugging Face is refused, never read approximately.
 */
class TokenizerJsonErrorsTest {
    static final String TEXT = "It's a small model: we'll train it, and they've said it'd work. 12345 tokens!\n";
    static final BpeTokenizer TRAINED = BpeTrainer.train(TEXT.repeat(3), 300, "<|endoftext|>", "<|im_end|>");

    @TempDir
    Path dir;

    @Test
    void aTrainedTokenizerReadsBackAsItself() {
        BpeTokenizer back = TokenizerJsonTest.writeAndRead(TRAINED, dir);
        assertEquals(TRAINED.tokens(), back.tokens());
        assertEquals(TRAINED.merges(), back.merges());
        assertEquals(TRAINED.rules(), back.rules());
        assertEquals(TRAINED.markers(), back.markers());
        assertArrayEquals(TRAINED.encode(TEXT + "<|im_end|> Ünïcödé 🙂"), back.encode(TEXT + "<|im_end|> Ünïcödé 🙂"));
    }

    @Test
    void paddingAtTheEndIsLeftOut() {
        BpeTokenizer back = TokenizerJsonTest.writeAndRead(TRAINED.paddedTo(TRAINED.size() + 7), dir);
        assertEquals(TRAINED.tokens(), back.tokens());
    }

    @Test
    void otherKindsOfTokenizerAreRefused() {
        assertRefused(json -> ((ObjectNode) json.get("model")).put("type", "WordPiece"),
                "the model is 'WordPiece'; llmgraph reads BPE tokenizers, byte-level (a ByteLevel pre-tokenizer) or "
                        + "SentencePiece-style (byte fallback, spaces as ▁), and BERT's WordPiece with "
                        + "TokenizerJson.readWordPiece, SentencePiece's Unigram with TokenizerJson.readUnigram");
        assertRefused(json -> ((ObjectNode) json.get("model")).put("byte_fallback", true),
                "the pre-tokenizer 'ByteLevel' is not one llmgraph reads in a SentencePiece-style BPE (none, "
                        + "Metaspace, or a Split at \" \" after a normalizer that writes spaces as ▁)");
        assertRefused(json -> json.putObject("pre_tokenizer").put("type", "Metaspace"),
                "the Metaspace pre-tokenizer's replacement is null; llmgraph reads \"▁\"");
        assertRefused(json -> json.putObject("pre_tokenizer").put("type", "WhitespaceSplit"),
                "the pre-tokenizer step 'WhitespaceSplit' is not one llmgraph reads (ByteLevel, Split, Digits, Sequence)");
        assertRefused(json -> json.putNull("pre_tokenizer"),
                "the pre_tokenizer is null; llmgraph reads byte-level BPE tokenizers");
        assertRefused(json -> json.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers")
                        .addObject().put("type", "Digits").put("individual_digits", true),
                "the pre_tokenizer has no ByteLevel step; llmgraph reads byte-level BPE tokenizers");
        assertRefused(json -> json.putObject("normalizer").put("type", "Lowercase"),
                "the normalizer 'Lowercase' is not one llmgraph reads (none, or NFC)");
    }

    @Test
    void settingsThatWouldEncodeOtherwiseAreRefused() {
        assertRefused(json -> ((ObjectNode) json.get("pre_tokenizer")).put("add_prefix_space", true),
                "the ByteLevel pre-tokenizer adds a prefix space; llmgraph's BPE encodes the text as given (set "
                        + "add_prefix_space to false)");
        assertRefused(json -> ((ObjectNode) json.get("model")).put("dropout", 0.1),
                "model.dropout is 0.1; BPE dropout is for training, and encoding with it is not repeatable: set it to "
                        + "null");
        assertRefused(json -> ((ObjectNode) json.get("model")).put("continuing_subword_prefix", "##"),
                "model.continuing_subword_prefix is '##'; llmgraph's BPE marks no subwords");
        assertRefused(json -> {
            ObjectNode split = json.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers")
                    .addObject().put("type", "Split").put("behavior", "Removed");
            split.putObject("pattern").put("Regex", "\\s+");
        }, "a Split pre-tokenizer with behavior 'Removed'; llmgraph reads 'Isolated', not inverted");
        assertRefused(json -> {
            ArrayNode steps = json.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
            ObjectNode split = steps.addObject().put("type", "Split").put("behavior", "Isolated");
            split.putObject("pattern").put("Regex", "(?<word>\\p{L}+");
            steps.addObject().put("type", "ByteLevel").put("use_regex", false);
        }, "the pre-tokenizer expression is not a regular expression Java reads: Unclosed group near index 14 of "
                + "(?<word>\\p{L}+");
    }

    /** Llama 2's vocabulary as the tokenizer.json llmgraph writes, each time with one setting changed. */
    @Test
    void sentencePieceSettingsThatWouldEncodeOtherwiseAreRefused() {
        SentencePieceBpe llama2 = GgufSentencePiece.read(LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf"));
        assertRefused(llama2, json -> ((ArrayNode) json.get("normalizer").get("normalizers")).remove(1),
                "the normalizer does not Replace \" \" by \"▁\", as a SentencePiece-style BPE's does");
        assertRefused(llama2, json -> ((ArrayNode) json.get("normalizer").get("normalizers")).addObject()
                .put("type", "NFKC"), "the normalizer step 'NFKC' is not one llmgraph reads in a SentencePiece-style BPE "
                + "(Prepend \"▁\", then Replace \" \" by \"▁\")");
        assertRefused(llama2, json -> ((ObjectNode) json.get("normalizer").get("normalizers").get(0)).put("prepend", "_"),
                "the normalizer step Prepend \"_\" is not one llmgraph reads in a SentencePiece-style BPE (Prepend "
                + "\"▁\", then Replace \" \" by \"▁\")");
        assertRefused(llama2, json -> json.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁")
                .put("prepend_scheme", "first").put("split", false), "both the normalizer and a Metaspace "
                + "pre-tokenizer write spaces as ▁; llmgraph reads one of them");
        assertRefused(llama2, json -> {
            json.putNull("normalizer");
            json.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁").put("split", true);
        }, "the Metaspace pre-tokenizer splits the text at every ▁, so no merge crosses a word; llmgraph reads it with "
                + "split false, as Llama's and Mistral's files have it");
        assertRefused(llama2, json -> {
            json.putNull("normalizer");
            json.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁").put("split", false)
                    .put("prepend_scheme", "sometimes");
        }, "the Metaspace prepend_scheme is 'sometimes'; it is always, first or never");
        assertRefused(llama2, json -> json.putNull("normalizer"), "neither the normalizer nor the pre_tokenizer writes "
                + "spaces as ▁ (a Replace normalizer or a Metaspace pre-tokenizer), as a SentencePiece-style BPE does");
        assertRefused(llama2, json -> {   // Gemma's Split at spaces, inverted: the matches would be the words
            ObjectNode split = json.putObject("pre_tokenizer").put("type", "Split").put("behavior", "MergedWithPrevious")
                    .put("invert", true);
            split.putObject("pattern").put("String", " ");
        }, "the pre-tokenizer 'Split' is not one llmgraph reads in a SentencePiece-style BPE (none, Metaspace, or a "
                + "Split at \" \" after a normalizer that writes spaces as ▁)");
        assertRefused(llama2, json -> ((ObjectNode) json.get("model")).put("unk_token", "<nope>"),
                "model.unk_token '<nope>' is not a token");
        assertRefused(llama2, json -> ((ObjectNode) json.get("model")).put("ignore_merges", true),
                "model.ignore_merges is true in a SentencePiece-style BPE; llmgraph reads it without (set it to false)");
        assertRefused(llama2, json -> ((ObjectNode) json.get("model").get("vocab")).put("<0x4G>", 100000),
                "no token has id 32000 although 32001 tokens have ids; ids must run from 0 without gaps");
    }

    /** Gemma 4's GGUF form ('gemma4') is refused for what llama.cpp would encode otherwise. */
    @Test
    void theGemma4FormIsRefusedWhereLlamaCppWouldEncodeOtherwise() {
        SentencePieceBpe llama2 = GgufSentencePiece.read(LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf"));
        var prefixed = assertThrows(IllegalArgumentException.class,
                () -> llama2.withGgufForm(SentencePieceBpe.GgufForm.MERGES));
        assertEquals("the prefix is PREPEND, but llama.cpp's 'gemma4' vocabularies (GgufForm.MERGES) put no ▁ before "
                + "text; use GgufForm.SCORES", prefixed.getMessage());
        var unprefixed = new SentencePieceBpe(llama2.tokens(), llama2.kinds(), llama2.merges(),
                new SentencePieceBpe.Rules(SentencePieceBpe.Prefix.NONE, true, llama2.rules().unknown()),
                new BpeVocabulary.Markers(llama2.markers().bos(), llama2.markers().eos(), false),
                SentencePieceBpe.GgufForm.MERGES);
        var noBos = assertThrows(IllegalArgumentException.class, () -> unprefixed.writeVocabulary(dir.resolve("g.gguf")));
        assertEquals("the tokenizer adds no beginning-of-text token, but llama.cpp adds one before every text of a "
                + "'gemma4' vocabulary; use GgufForm.SCORES", noBos.getMessage());
    }

    /** A small Unigram vocabulary as the tokenizer.json llmgraph writes, each time with one setting changed. */
    @Test
    void unigramSettingsThatWouldEncodeOtherwiseAreRefused() {
        Path gguf = dir.resolve("unigram.gguf");
        UnigramTrainer.train(TEXT.repeat(3), 60).writeVocabulary(gguf);
        SentencePieceUnigram unigram = SentencePieceUnigram.readGguf(gguf);
        assertRefusedUnigram(unigram, json -> ((ObjectNode) json.get("model")).put("byte_fallback", true),
                "model.byte_fallback is true; llmgraph reads Unigram tokenizers without it, as T5's and XLM-RoBERTa's "
                        + "are (llama.cpp's Unigram has no byte fallback)");
        assertRefusedUnigram(unigram, json -> ((ObjectNode) json.get("model")).putNull("unk_id"),
                "model.unk_id is null; llmgraph reads Unigram tokenizers with an unknown token, one of the "
                        + unigram.size() + " pieces");
        assertRefusedUnigram(unigram, json -> ((ArrayNode) json.get("model").get("vocab")).set(5,
                HfConfig.JSON.createArrayNode().add("x")), "model.vocab[5] is not a [piece, score] pair");
        assertRefusedUnigram(unigram, json -> json.putObject("normalizer").put("type", "NFKC"),
                "the normalizer step 'NFKC' is not one llmgraph reads in a Unigram tokenizer (Precompiled; Strip of the "
                        + "right end and Replace of \" {2,}\", which remove extra spaces)");
        assertRefusedUnigram(unigram, json -> json.putNull("pre_tokenizer"),
                "the pre_tokenizer is null; llmgraph reads Unigram tokenizers that write spaces as ▁ with a Metaspace "
                        + "pre-tokenizer (after a WhitespaceSplit, or alone), as SentencePiece's do");
        assertRefusedUnigram(unigram, json -> ((ObjectNode) json.get("pre_tokenizer")).put("replacement", "_"),
                "the Metaspace pre-tokenizer's replacement is \"_\"; llmgraph reads \"▁\"");
        assertRefusedUnigram(unigram, json -> json.putObject("post_processor").put("type", "ByteLevel"),
                "the post_processor 'ByteLevel' is not one llmgraph reads in a Unigram tokenizer "
                        + "(TemplateProcessing, RobertaProcessing, BertProcessing)");
        assertRefusedUnigram(unigram, json -> ((ArrayNode) json.get("added_tokens")).addObject().put("id", 7)
                .put("content", "<nope>"), "added token \"<nope>\" is not piece 7 of model.vocab; llmgraph reads "
                + "Unigram added tokens that are in the vocabulary");
        Path bpe = dir.resolve("bpe.json");
        TokenizerJson.write(TRAINED, bpe);
        var e = assertThrows(TokenizerJsonException.class, () -> TokenizerJson.readUnigram(bpe));
        assertEquals(bpe + ": the model is 'BPE', not Unigram; read it with TokenizerJson.read", e.getMessage());
        var noPrefix = new SentencePieceUnigram(unigram.tokens(), unigram.kinds(), scores(unigram),
                new SentencePieceUnigram.Rules(false, true), null, unigram.unknown(), unigram.markers());
        var unwritable = assertThrows(IllegalArgumentException.class,
                () -> TokenizerJson.write(noPrefix, dir.resolve("x.json")));
        assertEquals("the vocabulary removes extra spaces without putting a ▁ before the text, which no "
                + "tokenizer.json says: SentencePiece then puts a ▁ before the first word too", unwritable.getMessage());
    }

    private static float[] scores(SentencePieceUnigram unigram) {
        float[] scores = new float[unigram.size()];
        for (int id = 0; id < scores.length; id++) {
            scores[id] = unigram.score(id);
        }
        return scores;
    }

    private void assertRefusedUnigram(SentencePieceUnigram written, Consumer<ObjectNode> damage, String message) {
        assertDamagedRefused(file -> TokenizerJson.write(written, file), TokenizerJson::readUnigram, damage, message);
    }

    /** BGE's WordPiece vocabulary as the tokenizer.json llmgraph writes, each time with one setting changed. */
    @Test
    void wordPieceSettingsThatWouldEncodeOtherwiseAreRefused() throws Exception {
        var bge = dev.llmgraph.tokenize.WordPieceTokenizer.readGguf(LlamaSource.directory()
                .resolve("models/ggml-vocab-bert-bge.gguf"));
        Path file = dir.resolve("tokenizer.json");
        for (var damage : List.<java.util.Map.Entry<Consumer<ObjectNode>, String>>of(
                java.util.Map.entry(json -> json.putObject("normalizer").put("type", "Lowercase"),
                        "the normalizer is 'Lowercase'; llmgraph reads a WordPiece tokenizer with BertNormalizer"),
                java.util.Map.entry(json -> ((ObjectNode) json.get("normalizer")).put("clean_text", false),
                        "the BertNormalizer's clean_text is false; llmgraph reads it true, as BERT's files have it"),
                java.util.Map.entry(json -> json.putNull("pre_tokenizer"),
                        "the pre_tokenizer is null; llmgraph reads a WordPiece tokenizer with BertPreTokenizer"),
                java.util.Map.entry(json -> ((ObjectNode) json.get("model")).put("continuing_subword_prefix", "@@"),
                        "model.continuing_subword_prefix is \"@@\"; llmgraph reads \"##\", as BERT's files have it"),
                java.util.Map.entry(json -> ((ObjectNode) json.get("model")).put("unk_token", "[NONE]"),
                        "model.unk_token \"[NONE]\" is not a token of the vocabulary"))) {
            TokenizerJson.write(bge, file);
            ObjectNode json = (ObjectNode) HfConfig.JSON.readTree(file.toFile());
            damage.getKey().accept(json);
            HfConfig.JSON.writeValue(file.toFile(), json);
            var e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.readWordPiece(file));
            assertEquals(file + ": " + damage.getValue(), e.getMessage());
        }
        TokenizerJson.write(TRAINED, file);
        var bpe = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.readWordPiece(file));
        assertEquals(file + ": the model is 'BPE', not WordPiece; read it with TokenizerJson.read", bpe.getMessage());
    }

    @Test
    void aDamagedVocabularyIsRefused() {
        assertRefused(json -> ((ObjectNode) json.get("model").get("vocab")).remove("Ġt"),
                "no token has id " + TRAINED.tokens().indexOf("Ġt") + " although " + (TRAINED.size() - 1) + " tokens "
                        + "have ids; ids must run from 0 without gaps");
        assertRefused(json -> ((ObjectNode) json.get("model").get("vocab")).put("Ġt", -3),
                "model.vocab['Ġt'] is -3; a token id is a whole number from 0");
        assertRefused(json -> ((ArrayNode) json.get("model").get("merges")).set(0, "Ġ zzzq"),
                "merge 0 'Ġ zzzq' needs 'zzzq', which is not a normal token of the vocabulary");
        assertRefused(json -> ((ArrayNode) json.get("model").get("merges")).set(0, "abc"),
                "merge 0 is 'abc'; a merge is two tokens separated by one space");
        assertRefused(json -> ((ObjectNode) json.get("added_tokens").get(1)).put("id", 298),
                "tokens '<|endoftext|>' and '<|im_end|>' both have id 298");
        assertRefused(json -> json.remove("model"), "model is missing or not an object");
    }

    @Test
    void aTokenizerConfigNamingNoTokenIsRefused() throws Exception {
        TokenizerJson.write(TRAINED, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"</s>\"}}");
        var e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read(dir));
        assertEquals(dir.resolve("tokenizer_config.json") + ": eos_token '</s>' is not a token of the tokenizer.json "
                + "beside it", e.getMessage());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
        assertEquals(TRAINED.specialId("<|im_end|>"), TokenizerJson.read(dir).markers().eos());
    }

    @Test
    void ggufVocabulariesOfOtherKindsAreRefused() {
        Path models = LlamaSource.directory().resolve("models");
        var spm = assertThrows(IllegalArgumentException.class, () -> GgufBpe.read(models.resolve("ggml-vocab-llama-spm.gguf")));
        assertEquals("ggml-vocab-llama-spm.gguf: tokenizer.ggml.model is 'llama'; GgufBpe reads byte-level BPE "
                + "vocabularies ('gpt2'), GgufSentencePiece SentencePiece-style ones ('llama', 'gemma4'); "
                + "TextTokenizer.llama reads every kind", spm.getMessage());
        var bpe = assertThrows(IllegalArgumentException.class,
                () -> GgufSentencePiece.read(models.resolve("ggml-vocab-gpt-2.gguf")));
        assertEquals("ggml-vocab-gpt-2.gguf: tokenizer.ggml.model is 'gpt2'; GgufSentencePiece reads "
                + "SentencePiece-style vocabularies ('llama', 'gemma4'), GgufBpe byte-level BPE ones ('gpt2'); "
                + "TextTokenizer.llama reads every kind", bpe.getMessage());
        Path kimi = dir.resolve("kimi-k2.gguf");   // Kimi K2's: rules llama.cpp writes in C++, which llmgraph lacks
        var writer = new dev.llmgraph.ggml.gguf.GgufWriter();
        TRAINED.writeTo(writer);
        writer.putString("tokenizer.ggml.pre", "kimi-k2").write(kimi);
        var unnamed = assertThrows(IllegalArgumentException.class, () -> GgufBpe.read(kimi));
        assertEquals("kimi-k2.gguf: the pre-tokenizer 'kimi-k2' is not one llmgraph's BPE knows; it knows "
                + "gpt-2, llama-bpe, qwen2, starcoder, qwen35, deepseek-llm, deepseek-coder, falcon, dbrx, gpt-4o, "
                + "tekken, deepseek-v3, seed-coder, bailingmoe, minicpm5, ufakzeka, tiny_aya, bloom and 53 other names "
                + "llama.cpp gives them (open the file with TextTokenizer.llama for libllama's tokenizer, which knows "
                + "more)", unnamed.getMessage());
        var neox = assertThrows(IllegalArgumentException.class, () -> GgufBpe.read(models.resolve("ggml-vocab-gpt-neox.gguf")));
        assertEquals("ggml-vocab-gpt-neox.gguf: the vocabulary names no pre-tokenizer (tokenizer.ggml.pre), so how "
                + "its text is cut into words is not known", neox.getMessage());
    }

    @Test
    void aPreTokenizerLlamaCppCannotNameIsNotWrittenToGguf() {
        BpeTokenizer custom = new BpeTokenizer(TRAINED.tokens(), TRAINED.kinds(), TRAINED.merges(),
                new BpeTokenizer.Rules(PreTokenizer.of(List.of("\\p{L}+|[^\\p{L}]+")), false, false),
                TRAINED.markers());
        var e = assertThrows(IllegalArgumentException.class, () -> custom.writeVocabulary(dir.resolve("custom.gguf")));
        assertEquals("llama.cpp knows a BPE pre-tokenizer only by name, and this one's expressions [\\p{L}+|[^\\p{L}]+] "
                + "are none of those llmgraph can name (gpt-2, llama-bpe, qwen2, starcoder, qwen35, deepseek-llm, "
                + "deepseek-coder, falcon, dbrx, gpt-4o, tekken, deepseek-v3, seed-coder, bailingmoe, minicpm5, ufakzeka, "
                + "tiny_aya, bloom); a GGUF file of it would be tokenized otherwise", e.getMessage());
        BpeTokenizer llama3WithMerges = new BpeTokenizer(TRAINED.tokens(), TRAINED.kinds(), TRAINED.merges(),
                new BpeTokenizer.Rules(PreTokenizer.LLAMA3, false, false), TRAINED.markers());
        var merges = assertThrows(IllegalArgumentException.class,
                () -> llama3WithMerges.writeVocabulary(dir.resolve("llama3.gguf")));
        assertEquals("llama.cpp takes a word that is a token whole for pre-tokenizer 'llama-bpe', and this tokenizer "
                + "does not; a GGUF file of it would be tokenized otherwise", merges.getMessage());
    }

    private void assertRefused(Consumer<ObjectNode> damage, String message) {
        assertRefused(TRAINED, damage, message);
    }

    private void assertRefused(BpeVocabulary written, Consumer<ObjectNode> damage, String message) {
        assertDamagedRefused(file -> TokenizerJson.write(written, file), TokenizerJson::read, damage, message);
    }

    /** A tokenizer.json {@code write} wrote, then damaged, refused by {@code read} with {@code message}. */
    private void assertDamagedRefused(Consumer<Path> write, Consumer<Path> read, Consumer<ObjectNode> damage,
                                      String message) {
        Path file = dir.resolve("tokenizer.json");
        write.accept(file);
        try {
            ObjectNode json = (ObjectNode) HfConfig.JSON.readTree(file.toFile());
            damage.accept(json);
            HfConfig.JSON.writeValue(file.toFile(), json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> read.accept(file));
        assertEquals(file + ": " + message, e.getMessage());
    }
}
