package dev.llmgraph.text;

import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.tokenize.GgufVocabulary;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceModelFile;
import dev.llmgraph.tokenize.SentencePieceUnigram;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tokenizer of a Hugging Face folder, encoded in Java: its tokenizer.json, or, where it has none, SentencePiece's
 * own model file ({@code tokenizer.model}, T5's {@code spiece.model}). For a model ({@link #read(Path, int, String)}):
 * a BPE with tokenizer_config.json's markers and chat template, or a Unigram, padded with unused tokens to the model's
 * rows as llama.cpp's converter pads it; as it is ({@link #read(Path)}): a WordPiece too, not padded.
 */
final class FolderTokenizer {
    private FolderTokenizer() {}

    /** The folder's tokenizer as it is (a WordPiece tokenizer.json too), not padded. */
    static TextTokenizer read(Path dir) {
        if (Files.exists(dir.resolve("tokenizer.json"))) {
            return switch (TokenizerJson.modelType(dir)) {
                case "WordPiece" -> TextTokenizer.of(TokenizerJson.readWordPiece(dir));
                case "Unigram" -> TextTokenizer.of(TokenizerJson.readUnigram(dir));
                default -> TextTokenizer.of(TokenizerJson.read(dir));
            };
        }
        Path model = SentencePieceModelFile.in(dir).orElseThrow(() -> new IllegalArgumentException(dir + ": has no "
                + "tokenizer.json, tokenizer.model or spiece.model"));
        GgufVocabulary vocabulary = SentencePieceModelFile.read(model);
        return vocabulary instanceof SentencePieceUnigram unigram ? TextTokenizer.of(unigram)
                : TextTokenizer.of((SentencePieceBpe) vocabulary);
    }

    /** The folder's tokenizer for a model of {@code rows} token rows; {@code loader} names the ids-only way, for words. */
    static TextTokenizer read(Path dir, int rows, String loader) {
        if (Files.exists(dir.resolve("tokenizer.json"))) {
            if (TokenizerJson.modelType(dir).equals("Unigram")) {
                return TextTokenizer.of(padded(TokenizerJson.readUnigram(dir), rows, dir.resolve("tokenizer.json")));
            }
            BpeTextTokenizer bpe = TextTokenizer.of(TokenizerJson.readForModel(dir));
            return TokenizerJson.chatTemplate(dir).map(bpe::withChatTemplate).orElse(bpe);
        }
        Path model = SentencePieceModelFile.in(dir).orElseThrow(() -> new IllegalArgumentException(dir + ": has no "
                + "tokenizer.json or SentencePiece model (tokenizer.model, spiece.model); its model runs on token ids ("
                + loader + "), or give it a tokenizer"));
        GgufVocabulary vocabulary = SentencePieceModelFile.read(model);
        requireAtMost(vocabulary.size(), rows, model);
        if (vocabulary instanceof SentencePieceUnigram unigram) {
            return TextTokenizer.of(unigram.paddedTo(rows));
        }
        SentencePieceBpe bpe = (SentencePieceBpe) vocabulary;
        BpeTextTokenizer tokenizer = TextTokenizer.of(bpe.size() < rows ? bpe.paddedTo(rows) : bpe);
        return TokenizerJson.chatTemplate(dir).map(tokenizer::withChatTemplate).orElse(tokenizer);
    }

    private static SentencePieceUnigram padded(SentencePieceUnigram unigram, int rows, Path file) {
        requireAtMost(unigram.size(), rows, file);
        return unigram.paddedTo(rows);
    }

    private static void requireAtMost(int tokens, int rows, Path file) {
        if (tokens > rows) {
            throw new IllegalArgumentException(file + ": has " + tokens + " tokens but the model has " + rows + " token "
                    + "rows; the model has a logit for each of at most " + rows + " tokens, so this tokenizer is not its "
                    + "own");
        }
    }
}
