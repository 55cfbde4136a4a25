package dev.llmgraph.text;

import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.WordPieceTokenizer;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a model needs of a tokenizer to take and give text: text to ids, each id's bytes, the ids that end
 * generation and, for chat-tuned models, a chat template. Two kinds:
 * <ul>
 *   <li>{@link #llama(Path)}: libllama's tokenizer on a GGUF file's own vocabulary (any kind llama.cpp reads:
 *       SentencePiece, byte-level BPE, WordPiece, Unigram), with the file's special tokens and chat template.
 *       A vocabulary trained with {@code dev.llmgraph.tokenize} reaches it through its
 *       {@code writeVocabulary(path)}.</li>
 *   <li>{@link #of(BpeVocabulary, String...)}: a BPE encoded in Java: byte-level, trained in Java or published,
 *       or SentencePiece-style; read from a Hugging Face tokenizer.json ({@link dev.llmgraph.io.hf.TokenizerJson})
 *       or a GGUF file ({@link dev.llmgraph.tokenize.GgufBpe}, {@link dev.llmgraph.tokenize.GgufSentencePiece}).</li>
 *   <li>{@link #of(SentencePieceUnigram)}: a SentencePiece Unigram (T5, XLM-RoBERTa) encoded in Java; and
 *       {@link #of(WordPieceTokenizer)} BERT's WordPiece.</li>
 * </ul>
 * Closing frees what the tokenizer holds (libllama's vocabulary); a Java tokenizer holds nothing.
 */
public interface TextTokenizer extends AutoCloseable {
    /** Number of tokens; ids run from 0 to {@code size() - 1}. */
    int size();

    /**
     * The ids of {@code text}. {@code addSpecial} adds the tokens the vocabulary puts around a text (a BOS, for
     * vocabularies that ask for one); {@code parseSpecial} reads special-token text such as {@code <|im_end|>}
     * as that token, as a chat template's markers must be read.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The bytes token {@code id} stands for (part of a UTF-8 character, for some); special tokens as their text. */
    byte[] pieceBytes(int id);

    /** The ids that end a generation (end of sequence, end of turn), in increasing order. */
    int[] endOfGeneration();

    /** The chat template of the vocabulary ({@code tokenizer.chat_template}), if it has one. */
    Optional<String> chatTemplate();

    /** The text of {@code ids}: their pieces' bytes read as UTF-8 (U+FFFD where they are not valid UTF-8). */
    default String decode(int... ids) {
        Utf8Pieces text = new Utf8Pieces();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(text.add(pieceBytes(id)));
        }
        return out.append(text.finish()).toString();
    }

    @Override
    default void close() { }

    /** libllama's tokenizer on the vocabulary of {@code gguf} (a model file or a vocabulary-only file). */
    static TextTokenizer llama(Path gguf) {
        return new LlamaTextTokenizer(dev.llmgraph.ggml.llama.Tokenizer.open(gguf));
    }

    /**
     * {@code bpe}, encoding in Java. Generation ends at the special tokens {@code endOfGeneration} names, or,
     * when none is named, at its end-of-text token ({@code bpe.markers().eos()}: a trained tokenizer's first
     * special token, the one it writes as end of text into GGUF files).
     */
    static BpeTextTokenizer of(BpeVocabulary bpe, String... endOfGeneration) {
        return new BpeTextTokenizer(bpe, endOfGeneration);
    }

    /** {@code unigram} (T5's, XLM-RoBERTa's), encoding in Java; generation ends at its end-of-text token. */
    static UnigramTextTokenizer of(SentencePieceUnigram unigram) {
        return new UnigramTextTokenizer(unigram);
    }

    /** {@code wordPiece} (BERT's), encoding in Java, {@code [CLS]} and {@code [SEP]} around a text. */
    static WordPieceTextTokenizer of(WordPieceTokenizer wordPiece) {
        return new WordPieceTextTokenizer(wordPiece);
    }

    /**
     * The tokenizer of a Hugging Face folder, encoding in Java: its tokenizer.json (BPE with tokenizer_config.json's
     * markers, WordPiece or Unigram), or, where it has none, SentencePiece's model file ({@code tokenizer.model},
     * {@code spiece.model}); not padded to a model's rows.
     */
    static TextTokenizer inFolder(Path dir) {
        return FolderTokenizer.read(dir);
    }
}
