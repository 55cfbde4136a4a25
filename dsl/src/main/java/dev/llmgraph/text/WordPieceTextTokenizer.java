package dev.llmgraph.text;

import dev.llmgraph.tokenize.WordPieceTokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * BERT's WordPiece encoded in Java ({@link WordPieceTokenizer}, read from a tokenizer.json or a GGUF file) as an
 * encoder's tokenizer: with {@code addSpecial} {@code [CLS]} before a text and {@code [SEP]} after it, as libllama puts
 * them; a piece is its token's text ({@code ##} included). Nothing ends a generation: an encoder writes no text.
 */
public final class WordPieceTextTokenizer implements TextTokenizer {
    private final WordPieceTokenizer wordPiece;

    WordPieceTextTokenizer(WordPieceTokenizer wordPiece) {
        this.wordPiece = wordPiece;
    }

    /** The Java tokenizer itself. */
    public WordPieceTokenizer wordPiece() {
        return wordPiece;
    }

    @Override
    public int size() {
        return wordPiece.size();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        int[] ids = wordPiece.encode(text, parseSpecial);
        if (!addSpecial) {
            return ids;
        }
        WordPieceTokenizer.Specials specials = wordPiece.specials();
        int cls = specials.cls() >= 0 ? 1 : 0;
        int[] around = new int[ids.length + cls + (specials.sep() >= 0 ? 1 : 0)];
        if (cls == 1) {
            around[0] = specials.cls();
        }
        System.arraycopy(ids, 0, around, cls, ids.length);
        if (specials.sep() >= 0) {
            around[around.length - 1] = specials.sep();
        }
        return around;
    }

    @Override
    public byte[] pieceBytes(int id) {
        return wordPiece.tokens().get(id).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int[] endOfGeneration() {
        return new int[0];
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Java " + wordPiece;
    }
}
