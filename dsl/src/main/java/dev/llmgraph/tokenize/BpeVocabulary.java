package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A published BPE vocabulary encoded in Java, of either kind Hugging Face's tokenizer.json and llama.cpp's GGUF
 * files hold: byte-level ({@link BpeTokenizer}: GPT-2, Llama 3, Qwen2) or SentencePiece-style over characters
 * with byte fallback ({@link SentencePieceBpe}: Llama 2, Mistral, TinyLlama, Phi-3). Both hold their tokens with
 * each one's kind and the merges in rank order, read added tokens wherever they stand and special ones where asked,
 * and know their beginning- and end-of-text tokens; they differ in the symbols a text starts as before the merges,
 * and in what a token's bytes are.
 */
public abstract sealed class BpeVocabulary implements GgufVocabulary permits BpeTokenizer, SentencePieceBpe {
    /** The beginning- and end-of-text tokens (-1: none) and whether encoding puts the first before a text. */
    public record Markers(int bos, int eos, boolean addsBos) {
        public static final Markers NONE = new Markers(-1, -1, false);
    }

    final TokenTable table;
    final MergeTable mergeTable;
    private final List<String> merges;
    private final Markers markers;

    BpeVocabulary(List<String> tokens, List<TokenKind> kinds, List<String> merges, Markers markers) {
        this.table = new TokenTable(tokens, kinds);
        this.merges = List.copyOf(merges);
        this.mergeTable = new MergeTable(this.merges, table.normalIds);
        table.requireMarkers(markers);
        this.markers = markers;
    }

    /** The same vocabulary with other markers: its tables shared, not copied. */
    BpeVocabulary(BpeVocabulary same, Markers markers) {
        same.table.requireMarkers(markers);
        this.table = same.table;
        this.merges = same.merges;
        this.mergeTable = same.mergeTable;
        this.markers = markers;
    }

    /**
     * The vocabulary of the GGUF file at {@code path}: {@link GgufBpe} reads a byte-level one ({@code gpt2}),
     * {@link GgufSentencePiece} a SentencePiece-style one ({@code llama}, {@code gemma4}).
     */
    public static BpeVocabulary readGguf(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return readGguf(file);
        }
    }

    /** The vocabulary of an open GGUF file, as {@link #readGguf(Path)}. */
    public static BpeVocabulary readGguf(GgufFile file) {
        boolean sentencePiece = file.has("tokenizer.ggml.model")
                && List.of("llama", GgufSentencePiece.GEMMA4).contains(file.getString("tokenizer.ggml.model"));
        return sentencePiece ? GgufSentencePiece.read(file) : GgufBpe.read(file);
    }

    /** This vocabulary with other beginning- and end-of-text tokens (as tokenizer_config.json names them). */
    public abstract BpeVocabulary withMarkers(Markers markers);

    /**
     * This vocabulary with {@code size - size()} unused tokens {@code [PAD<id>]} after it, as llama.cpp's converter
     * pads a vocabulary to a model whose embedding has more rows than the tokenizer has tokens (Qwen2: 151,936
     * rows, 151,665 tokens).
     */
    public abstract BpeVocabulary paddedTo(int size);

    /**
     * The token ids of {@code text}: its added tokens (the longest first) as themselves, the rest by BPE; with
     * {@code parseSpecial}, its special tokens' text is read as those tokens first (the longest at each place, as a
     * chat template's markers must be read).
     */
    public abstract int[] encode(String text, boolean parseSpecial);

    /**
     * The bytes token {@code id} stands for. A piece can end inside a character, which the next pieces complete;
     * special tokens read as their text.
     */
    public abstract byte[] pieceBytes(int id);

    /**
     * Writes a vocabulary-only GGUF: this vocabulary's keys ({@code writeTo}) and the few model keys llama.cpp reads
     * before it reads a vocabulary (a one-layer LLaMA shape; the file has no tensors), which libllama loads and
     * encodes with.
     */
    public long writeVocabulary(Path path) {
        GgufWriter out = VocabularyFile.llama("llmgraph " + getClass().getSimpleName() + ", " + size() + " tokens",
                size());
        writeTo(out);
        return out.write(path);
    }

    /** Number of tokens; ids run from 0 to {@code size() - 1}. */
    @Override
    public int size() {
        return table.size();
    }

    /** The tokens in id order, as the vocabulary writes them. */
    public List<String> tokens() {
        return table.tokens;
    }

    public TokenKind kind(int id) {
        table.requireId(id);
        return table.kinds[id];
    }

    /** Each token's kind, in id order. */
    public List<TokenKind> kinds() {
        return table.kinds();
    }

    /** The merges in rank order, each "left right". */
    public List<String> merges() {
        return merges;
    }

    public Markers markers() {
        return markers;
    }

    /** The special tokens' text, in id order. */
    public List<String> specialTokens() {
        return table.specialTokens();
    }

    /** The id of a special token. */
    public int specialId(String token) {
        return table.specialId(token);
    }

    /** The token ids of {@code text}; special-token text is encoded as ordinary text. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /** The text of {@code ids}: their pieces' bytes read as UTF-8. */
    public String decode(int... ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(pieceBytes(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
